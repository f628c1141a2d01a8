#include "formats/import_upload.hpp"

#include <fstream>
#include <sstream>

namespace tessera {

namespace {

// Reads a string in place (std::istringstream would copy it).
class StringViewBuf final : public std::streambuf {
public:
    explicit StringViewBuf(const std::string& bytes) {
        char* begin = const_cast<char*>(bytes.data());  // only ever read through get area
        setg(begin, begin, begin + bytes.size());
    }
};

}  // namespace

ImportUpload ImportUpload::FromBytes(std::string body, std::string name) {
    ImportUpload upload;
    upload.bytes_ = std::move(body);
    upload.name_ = std::move(name);
    return upload;
}

ImportUpload ImportUpload::FromFile(std::filesystem::path path, std::string name) {
    ImportUpload upload;
    upload.path_ = std::move(path);
    upload.name_ = std::move(name);
    upload.on_disk_ = true;
    return upload;
}

Result<std::vector<ImportFile>> ImportUpload::ReadAll() const {
    if (!on_disk_) {
        return ReadImportBody(bytes_, name_);
    }
    if (FileLooksLikeZip(path_)) {
        return ReadImportZipFile(path_);
    }
    std::error_code error;
    const std::uintmax_t size = std::filesystem::file_size(path_, error);
    if (!error && size > kMaxImportEntryBytes) {
        return ImportFileTooLarge(name_, size);
    }
    std::ifstream in(path_, std::ios::binary);
    if (!in) {
        return Error::Internal("cannot open the stored upload");
    }
    std::ostringstream bytes;
    bytes << in.rdbuf();
    std::vector<ImportFile> files;
    files.push_back({name_, std::move(bytes).str()});
    return files;
}

Status ImportUpload::ForEach(const ZipEntryVisitor& visit) const {
    if (!on_disk_) {
        if (LooksLikeZip(bytes_)) {
            return ForEachZipEntry(bytes_, visit);
        }
        StringViewBuf buffer(bytes_);
        std::istream in(&buffer);
        return visit(name_, in);
    }
    if (FileLooksLikeZip(path_)) {
        return ForEachZipEntryInFile(path_, visit);
    }
    std::ifstream in(path_, std::ios::binary);
    if (!in) {
        return Error::Internal("cannot open the stored upload");
    }
    return visit(name_, in);
}

Status ForEachImportFile(const std::vector<ImportFile>& files, const ZipEntryVisitor& visit) {
    for (const ImportFile& file : files) {
        StringViewBuf buffer(file.bytes);
        std::istream in(&buffer);
        TESSERA_TRY(visit(file.path, in));
    }
    return Status::Ok();
}

}  // namespace tessera
