#include "services/secret_box.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <system_error>

#include "base/text.hpp"

namespace tessera {
namespace {

constexpr std::string_view kPrefix = "v1:";

std::string ToBase64(const unsigned char* data, std::size_t size) {
    std::string out(sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), data, size, sodium_base64_VARIANT_ORIGINAL);
    out.pop_back();  // the terminating NUL
    return out;
}

// Decodes base64 into exactly out.size() bytes; false otherwise.
bool FromBase64(std::string_view text, unsigned char* out, std::size_t size) {
    std::size_t length = 0;
    return sodium_base642bin(out, size, text.data(), text.size(), nullptr, &length, nullptr,
                             sodium_base64_VARIANT_ORIGINAL) == 0 &&
           length == size;
}

Status WriteAll(int fd, std::string_view text) {
    while (!text.empty()) {
        ssize_t n = ::write(fd, text.data(), text.size());
        if (n <= 0) {
            return Error::Internal("cannot write the secret key file");
        }
        text.remove_prefix(static_cast<std::size_t>(n));
    }
    return Status::Ok();
}

// Writes a new key to a temporary file, then links it under `key_file`: link() fails when
// another process got there first, and then its key is the one read back.
Status CreateKeyFile(const std::filesystem::path& key_file) {
    std::string temp = key_file.string() + ".new-XXXXXX";
    int fd = mkstemp(temp.data());  // mode 0600
    if (fd < 0) {
        return Error::Internal("cannot create the secret key file in " +
                               key_file.parent_path().string());
    }
    Status written = WriteAll(fd, SecretBox::NewBase64Key() + "\n");
    bool synced = written.ok() && ::fsync(fd) == 0;
    ::close(fd);
    if (synced && ::link(temp.c_str(), key_file.c_str()) != 0 && errno != EEXIST) {
        synced = false;
    }
    ::unlink(temp.c_str());
    return synced
               ? Status::Ok()
               : Status(Error::Internal("cannot create the secret key file " + key_file.string()));
}

}  // namespace

Result<SecretBox> SecretBox::FromBase64Key(std::string_view key_base64) {
    if (sodium_init() < 0) {
        return Error::Internal("libsodium failed to initialise");
    }
    std::array<unsigned char, kKeyBytes> key{};
    if (!FromBase64(TrimmedView(key_base64), key.data(), key.size())) {
        return Error::InvalidArgument(
            "the secret key (TESSERA_SECRET_KEY or secret_key) must be base64 of 32 bytes, "
            "e.g. the output of `head -c 32 /dev/urandom | base64`",
            "secret_key");
    }
    SecretBox box(key);
    sodium_memzero(key.data(), key.size());
    return box;
}

Result<SecretBox> SecretBox::LoadOrCreateKeyFile(const std::filesystem::path& key_file) {
    if (sodium_init() < 0) {
        return Error::Internal("libsodium failed to initialise");
    }
    struct stat st {};
    if (::stat(key_file.c_str(), &st) != 0) {
        TESSERA_TRY(CreateKeyFile(key_file));
        if (::stat(key_file.c_str(), &st) != 0) {
            return Error::Internal("cannot read the secret key file " + key_file.string());
        }
    }
    if ((st.st_mode & 077) != 0) {
        return Error::FailedPrecondition("the secret key file " + key_file.string() +
                                         " is readable by other users: chmod 600 it");
    }
    std::ifstream in(key_file);
    std::string text;
    std::getline(in, text);
    auto box = FromBase64Key(text);
    sodium_memzero(text.data(), text.size());
    if (!box.ok()) {
        return Error::FailedPrecondition("the secret key file " + key_file.string() +
                                         " does not hold a key (base64 of 32 bytes); restore it "
                                         "from a backup, or stored credentials cannot be read");
    }
    return box;
}

std::string SecretBox::NewBase64Key() {
    if (sodium_init() < 0) {
        std::abort();  // no CSPRNG: nothing safe can be made
    }
    std::array<unsigned char, kKeyBytes> key{};
    crypto_secretbox_keygen(key.data());
    std::string out = ToBase64(key.data(), key.size());
    sodium_memzero(key.data(), key.size());
    return out;
}

SecretBox::~SecretBox() {
    sodium_memzero(key_.data(), key_.size());
}

std::string SecretBox::Seal(std::string_view plaintext) const {
    std::string box(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size(),
                    '\0');
    auto* bytes = reinterpret_cast<unsigned char*>(box.data());
    randombytes_buf(bytes, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(bytes + crypto_secretbox_NONCEBYTES,
                          reinterpret_cast<const unsigned char*>(plaintext.data()),
                          plaintext.size(), bytes, key_.data());
    return std::string(kPrefix) + ToBase64(bytes, box.size());
}

Result<std::string> SecretBox::Open(std::string_view sealed) const {
    auto unreadable = [] {
        return Error::FailedPrecondition(
            "a stored credential cannot be decrypted: the server's secret key changed "
            "(TESSERA_SECRET_KEY or the data dir's secret.key); restore it or enter the "
            "credential again");
    };
    if (!sealed.starts_with(kPrefix)) {
        return unreadable();
    }
    sealed.remove_prefix(kPrefix.size());
    std::string box(sealed.size(), '\0');
    std::size_t length = 0;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(box.data()), box.size(), sealed.data(),
                          sealed.size(), nullptr, &length, nullptr,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        length < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
        return unreadable();
    }
    const auto* bytes = reinterpret_cast<const unsigned char*>(box.data());
    std::string plaintext(length - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
    if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plaintext.data()),
                                   bytes + crypto_secretbox_NONCEBYTES,
                                   length - crypto_secretbox_NONCEBYTES, bytes, key_.data()) != 0) {
        return unreadable();
    }
    return plaintext;
}

}  // namespace tessera
