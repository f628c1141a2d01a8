#include "services/password_hasher.hpp"

#include <sodium.h>

#include "base/log.hpp"

namespace tessera {

Argon2Hasher::Argon2Hasher(unsigned long long opslimit, std::size_t memlimit)
    : opslimit_(opslimit == 0 ? crypto_pwhash_OPSLIMIT_INTERACTIVE : opslimit),
      memlimit_(memlimit == 0 ? crypto_pwhash_MEMLIMIT_INTERACTIVE : memlimit) {
    // sodium_init is idempotent and thread-safe; failing means no usable CSPRNG or hashing.
    if (sodium_init() < 0) {
        log::Error("libsodium failed to initialise");
    }
}

Result<std::string> Argon2Hasher::Hash(const std::string& password) {
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, password.data(), password.size(), opslimit_, memlimit_) != 0) {
        return Error::Unavailable("out of memory while hashing the password");
    }
    return std::string(out);
}

bool Argon2Hasher::Verify(const std::string& hash, const std::string& password) {
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

}  // namespace tessera
