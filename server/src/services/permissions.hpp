#pragma once
// Who may do what. Roles for now: owners manage projects and export; labelers label. The team
// model (reviewers, per-project membership) replaces this in a later issue.
#include "base/result.hpp"
#include "domain/model.hpp"

namespace tessera {

inline Status RequireOwner(const User& actor, const char* what) {
    if (actor.role != Role::kOwner) {
        return Error::PermissionDenied(std::string("only owners may ") + what);
    }
    return Status::Ok();
}

}  // namespace tessera
