#include "support/zip_reader.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace tessera::testing {
namespace {

std::uint64_t Le(const std::string& s, std::size_t at, int bytes) {
    std::uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i) {
        v = v << 8 | static_cast<unsigned char>(s.at(at + static_cast<std::size_t>(i)));
    }
    return v;
}

std::string Inflate(const std::string& data) {
    z_stream zs{};
    EXPECT_EQ(inflateInit2(&zs, -MAX_WBITS), Z_OK);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    std::string out;
    char buf[16384];
    int rc = Z_OK;
    while (rc == Z_OK) {
        zs.next_out = reinterpret_cast<Bytef*>(buf);
        zs.avail_out = sizeof buf;
        rc = inflate(&zs, Z_NO_FLUSH);
        out.append(buf, sizeof buf - zs.avail_out);
    }
    EXPECT_EQ(rc, Z_STREAM_END);
    inflateEnd(&zs);
    return out;
}

}  // namespace

std::map<std::string, std::string> ReadZip(const std::string& zip) {
    std::map<std::string, std::string> out;
    std::size_t eocd = zip.rfind(std::string("PK\x05\x06", 4));
    if (eocd == std::string::npos) {
        ADD_FAILURE() << "no end of central directory";
        return out;
    }
    std::uint64_t count = Le(zip, eocd + 10, 2);
    std::uint64_t cd_offset = Le(zip, eocd + 16, 4);
    if (cd_offset == 0xffffffff || count == 0xffff) {
        std::size_t locator = eocd - 20;
        EXPECT_EQ(Le(zip, locator, 4), 0x07064b50u);
        std::size_t rec = Le(zip, locator + 8, 8);
        EXPECT_EQ(Le(zip, rec, 4), 0x06064b50u);
        count = Le(zip, rec + 32, 8);
        cd_offset = Le(zip, rec + 48, 8);
    }
    std::size_t at = cd_offset;
    for (std::uint64_t i = 0; i < count; ++i) {
        EXPECT_EQ(Le(zip, at, 4), 0x02014b50u);
        std::uint32_t crc = static_cast<std::uint32_t>(Le(zip, at + 16, 4));
        std::uint64_t csize = Le(zip, at + 20, 4);
        std::uint64_t usize = Le(zip, at + 24, 4);
        std::size_t name_len = Le(zip, at + 28, 2);
        std::size_t extra_len = Le(zip, at + 30, 2);
        std::size_t comment_len = Le(zip, at + 32, 2);
        std::uint64_t offset = Le(zip, at + 42, 4);
        std::string name = zip.substr(at + 46, name_len);
        std::size_t extra = at + 46 + name_len;
        for (std::size_t e = extra; e + 4 <= extra + extra_len;) {
            std::size_t len = Le(zip, e + 2, 2);
            if (Le(zip, e, 2) == 1) {
                std::size_t f = e + 4;
                for (std::uint64_t* field : {&usize, &csize, &offset}) {
                    if (*field == 0xffffffff) {
                        *field = Le(zip, f, 8);
                        f += 8;
                    }
                }
            }
            e += 4 + len;
        }
        EXPECT_EQ(Le(zip, offset, 4), 0x04034b50u) << name;
        std::size_t data = offset + 30 + Le(zip, offset + 26, 2) + Le(zip, offset + 28, 2);
        std::string content = Inflate(zip.substr(data, csize));
        EXPECT_EQ(content.size(), usize) << name;
        EXPECT_EQ(crc32(0, reinterpret_cast<const Bytef*>(content.data()),
                        static_cast<uInt>(content.size())),
                  crc)
            << name;
        out[name] = content;
        at = extra + extra_len + comment_len;
    }
    return out;
}

int CheckZipWithExternalTools(const std::string& zip) {
    char tmpl[] = "/tmp/tessera-zip-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) {
        ADD_FAILURE() << "mkdtemp failed";
        return 0;
    }
    std::filesystem::path dir(tmpl);
    std::ofstream(dir / "t.zip", std::ios::binary) << zip;
    std::string file = (dir / "t.zip").string();
    int ran = 0;
    if (std::system("command -v unzip >/dev/null 2>&1") == 0) {
        ++ran;
        EXPECT_EQ(std::system(("unzip -tq '" + file + "' >/dev/null").c_str()), 0) << "unzip -t";
    }
    if (std::system("command -v python3 >/dev/null 2>&1") == 0) {
        ++ran;
        EXPECT_EQ(std::system(("python3 -m zipfile -t '" + file + "' >/dev/null").c_str()), 0)
            << "python3 -m zipfile -t";
    }
    std::filesystem::remove_all(dir);
    return ran;
}

}  // namespace tessera::testing
