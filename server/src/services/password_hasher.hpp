#pragma once
// Password hashing behind an interface, so AuthService can be tested for what it hashes and how
// many hashes run at once without paying for argon2id (see login_throttle.hpp for why that
// matters). Argon2Hasher is the real one: argon2id through libsodium's crypto_pwhash_str.
#include <cstddef>
#include <string>

#include "base/result.hpp"

namespace tessera {

class PasswordHasher {
public:
    virtual ~PasswordHasher() = default;
    // The encoded hash (algorithm, parameters, salt and digest in one string). kUnavailable when
    // the memory for the hash cannot be had.
    virtual Result<std::string> Hash(const std::string& password) = 0;
    // False for a wrong password and for a hash this hasher cannot read.
    virtual bool Verify(const std::string& hash, const std::string& password) = 0;
};

class Argon2Hasher final : public PasswordHasher {
public:
    // 0 picks libsodium's INTERACTIVE limits (about 64 MiB and 70 ms per hash).
    Argon2Hasher(unsigned long long opslimit, std::size_t memlimit);
    Result<std::string> Hash(const std::string& password) override;
    bool Verify(const std::string& hash, const std::string& password) override;

private:
    unsigned long long opslimit_;
    std::size_t memlimit_;
};

}  // namespace tessera
