#pragma once
// Secrets at rest (a datasource's SAS token or account key): sealed with libsodium's
// crypto_secretbox (XSalsa20-Poly1305, a random nonce per seal) under one server key. The key
// comes from TESSERA_SECRET_KEY / the `secret_key` setting (base64 of 32 bytes) or else from
// the key file `secret.key` in the data dir, created with mode 0600 on first use. Sealed text
// is "v1:" + base64(nonce || ciphertext), safe to store in a text column. Neither the key nor a
// plaintext ever appears in a log line or an error message.
#include <array>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace tessera {

class SecretBox {
public:
    static constexpr std::size_t kKeyBytes = 32;

    // kInvalidArgument unless `key_base64` is base64 of exactly 32 bytes (the message names the
    // setting, not the value).
    static Result<SecretBox> FromBase64Key(std::string_view key_base64);
    // Reads the key file, or creates it (mode 0600, written whole before it appears under its
    // name, so concurrent servers agree on one key). kFailedPrecondition when the file is
    // readable by group or others, or does not hold a key; kInternal when it cannot be written.
    static Result<SecretBox> LoadOrCreateKeyFile(const std::filesystem::path& key_file);
    // A fresh random key as base64, for `tessera` operators who set TESSERA_SECRET_KEY.
    static std::string NewBase64Key();

    SecretBox(const SecretBox&) = default;
    SecretBox& operator=(const SecretBox&) = default;
    ~SecretBox();

    std::string Seal(std::string_view plaintext) const;
    // kFailedPrecondition when `sealed` was not made under this key (the key changed) or was
    // altered; the message says so without the sealed text.
    Result<std::string> Open(std::string_view sealed) const;

private:
    explicit SecretBox(const std::array<unsigned char, kKeyBytes>& key) : key_(key) {}

    std::array<unsigned char, kKeyBytes> key_{};
};

}  // namespace tessera
