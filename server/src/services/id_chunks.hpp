#pragma once
// Lookups by a list of item ids (embeddings, prelabels) go to the repository in chunks: one
// bound id array per statement, kept small on both engines whatever the list's length.
#include <algorithm>
#include <cstddef>
#include <vector>

#include "base/result.hpp"
#include "domain/model.hpp"

namespace tessera {

inline constexpr std::size_t kIdChunk = 500;

inline Id IdOf(Id id) {
    return id;
}
inline Id IdOf(const Item& item) {
    return item.id;
}

// Calls fn(begin, ids) for consecutive chunks of at most kIdChunk of `rows`' ids (items or
// ids), `begin` being the index in `rows` of the chunk's first one; stops at the first error.
template <typename Row, typename Fn>
Status ForEachIdChunk(const std::vector<Row>& rows, Fn&& fn) {
    for (std::size_t begin = 0; begin < rows.size(); begin += kIdChunk) {
        const std::size_t end = std::min(rows.size(), begin + kIdChunk);
        std::vector<Id> ids;
        ids.reserve(end - begin);
        for (std::size_t i = begin; i < end; ++i) {
            ids.push_back(IdOf(rows[i]));
        }
        TESSERA_TRY(fn(begin, ids));
    }
    return Status::Ok();
}

}  // namespace tessera
