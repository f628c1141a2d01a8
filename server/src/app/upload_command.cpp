#include "app/upload_command.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <ostream>
#include <thread>

#include "base/base64.hpp"
#include "base/text.hpp"
#include "blobs/local_source.hpp"

namespace tessera::app {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kMaxRetries = 5;

struct Answer {
    long status = 0;                             // 0: no answer (error says why)
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
    std::string error;

    std::string Header(const std::string& name) const {
        auto found = headers.find(name);
        return found == headers.end() ? std::string() : found->second;
    }
    // The server's error message, or what went wrong on the way.
    std::string Problem() const {
        if (status == 0) {
            return error;
        }
        json parsed = json::parse(body, nullptr, false);
        if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_object()) {
            return parsed["error"].value("message", "HTTP " + std::to_string(status));
        }
        return "HTTP " + std::to_string(status);
    }
};

// One libcurl handle (one thread); keeps its connection alive between requests.
class HttpSession {
public:
    HttpSession(std::string server, std::string token)
        : server_(std::move(server)), token_(std::move(token)), curl_(curl_easy_init()) {}
    ~HttpSession() { curl_easy_cleanup(curl_); }
    HttpSession(const HttpSession&) = delete;
    HttpSession& operator=(const HttpSession&) = delete;

    // `target` is a path ("/api/...") or a full URL.
    Answer Send(const std::string& method, const std::string& target,
                const std::vector<std::string>& headers, std::string_view body = {}) {
        Answer answer;
        if (curl_ == nullptr) {
            answer.error = "cannot start libcurl";
            return answer;
        }
        curl_easy_reset(curl_);
        const std::string url = target.starts_with("/") ? server_ + target : target;
        curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
        curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT, 15L);
        // A stalled connection (under 1 byte/s for a minute) is an error, retried from HEAD.
        curl_easy_setopt(curl_, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(curl_, CURLOPT_LOW_SPEED_TIME, 60L);
        if (method == "HEAD") {
            curl_easy_setopt(curl_, CURLOPT_NOBODY, 1L);
        } else if (method != "GET") {
            curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method.c_str());
            curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.data());
            curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE,
                             static_cast<curl_off_t>(body.size()));
        }
        curl_slist* list = nullptr;
        std::vector<std::string> all = headers;
        all.push_back("Authorization: Bearer " + token_);
        all.emplace_back("Tus-Resumable: 1.0.0");
        all.emplace_back("Expect:");  // no 100-continue round trip
        if (method != "PATCH" && method != "POST") {
            all.emplace_back("Content-Type:");
        }
        for (const std::string& header : all) {
            list = curl_slist_append(list, header.c_str());
        }
        curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, list);
        curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &HttpSession::OnBody);
        curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &answer);
        curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, &HttpSession::OnHeader);
        curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &answer);
        const CURLcode code = curl_easy_perform(curl_);
        curl_slist_free_all(list);
        if (code != CURLE_OK) {
            answer.status = 0;
            answer.error = std::string("cannot reach ") + server_ + ": " + curl_easy_strerror(code);
            return answer;
        }
        curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &answer.status);
        return answer;
    }

private:
    static std::size_t OnBody(char* data, std::size_t size, std::size_t count, void* user) {
        static_cast<Answer*>(user)->body.append(data, size * count);
        return size * count;
    }
    static std::size_t OnHeader(char* data, std::size_t size, std::size_t count, void* user) {
        std::string_view line(data, size * count);
        const std::size_t colon = line.find(':');
        if (colon != std::string_view::npos) {
            std::string_view value = line.substr(colon + 1);
            while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
                value.remove_prefix(1);
            }
            while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) {
                value.remove_suffix(1);
            }
            static_cast<Answer*>(user)->headers[Lower(line.substr(0, colon))] = std::string(value);
        }
        return size * count;
    }

    std::string server_;
    std::string token_;
    CURL* curl_;
};

// Upload URLs of unfinished files, kept in a small JSON file between runs.
class UploadState {
public:
    explicit UploadState(fs::path file) : file_(std::move(file)) {
        std::ifstream in(file_);
        if (in) {
            json parsed = json::parse(in, nullptr, false);
            if (parsed.is_object()) {
                entries_ = std::move(parsed);
            }
        }
    }
    std::string Get(const std::string& key) {
        std::lock_guard lock(mutex_);
        return entries_.value(key, std::string());
    }
    void Put(const std::string& key, const std::string& url) {
        std::lock_guard lock(mutex_);
        entries_[key] = url;
        SaveLocked();
    }
    void Remove(const std::string& key) {
        std::lock_guard lock(mutex_);
        if (entries_.erase(key) > 0) {
            SaveLocked();
        }
    }

private:
    void SaveLocked() {
        if (file_.empty()) {
            return;
        }
        std::error_code ec;
        fs::create_directories(file_.parent_path(), ec);
        const fs::path temp = file_.string() + ".tmp";
        {
            std::ofstream out(temp, std::ios::trunc);
            out << entries_.dump(1) << "\n";
        }
        fs::rename(temp, file_, ec);  // resuming is a convenience: a failure only costs a re-send
    }

    fs::path file_;
    std::mutex mutex_;
    json entries_ = json::object();
};

enum class Outcome { kUploaded, kSkipped, kFailed };

struct FileResult {
    Outcome outcome = Outcome::kFailed;
    std::string message;
    std::int64_t sent = 0;
};

class Uploader {
public:
    Uploader(const UploadCommand& command, UploadState& state) : command_(command), state_(state) {}

    FileResult Upload(HttpSession& http, const UploadFileEntry& file) {
        const std::string key = command_.server + "|" + command_.project + "|" +
                                fs::absolute(file.path).string() + "|" + std::to_string(file.size) +
                                "|" + std::to_string(file.mtime_ns);
        std::string url = state_.Get(key);
        std::int64_t offset = -1;
        if (!url.empty()) {
            offset = OffsetOf(http, url);  // -1: gone (finished, expired): start over
        }
        if (offset < 0) {
            Answer created = http.Send("POST", UploadsPath(),
                                       {"Upload-Length: " + std::to_string(file.size),
                                        "Upload-Metadata: " + Metadata(file)});
            if (created.status == 409) {
                return {Outcome::kSkipped, created.Problem(), 0};
            }
            if (created.status != 201) {
                return {Outcome::kFailed, created.Problem(), 0};
            }
            url = created.Header("location");
            offset = 0;
            state_.Put(key, url);
            json body = json::parse(created.body, nullptr, false);
            if (body.is_object() && body.value("complete", false)) {
                state_.Remove(key);
                return {Outcome::kUploaded, "", 0};
            }
        }
        FileResult result = SendChunks(http, file, url, offset);
        if (result.outcome != Outcome::kFailed ||
            result.message.find("start it again") != std::string::npos) {
            state_.Remove(key);
        }
        return result;
    }

private:
    std::string UploadsPath() const { return "/api/v1/projects/" + command_.project + "/uploads/"; }

    std::string Metadata(const UploadFileEntry& file) const {
        const std::string name = file.relative_path.substr(file.relative_path.rfind('/') + 1);
        std::string metadata =
            "relativePath " + EncodeBase64(file.relative_path) + ",filename " + EncodeBase64(name);
        if (command_.overwrite) {
            metadata += ",overwrite " + EncodeBase64("true");
        }
        return metadata;
    }

    static std::int64_t OffsetOf(HttpSession& http, const std::string& url) {
        Answer head = http.Send("HEAD", url, {});
        if (head.status != 200) {
            return -1;
        }
        try {
            return std::stoll(head.Header("upload-offset"));
        } catch (const std::exception&) {
            return -1;
        }
    }

    FileResult SendChunks(HttpSession& http, const UploadFileEntry& file, const std::string& url,
                          std::int64_t offset) {
        std::ifstream in(file.path, std::ios::binary);
        if (!in) {
            return {Outcome::kFailed, "cannot read " + file.path.string(), 0};
        }
        std::string chunk;
        std::int64_t sent = 0;
        int failures = 0;
        while (true) {
            const std::int64_t size = std::min(command_.chunk_bytes, file.size - offset);
            chunk.resize(static_cast<std::size_t>(size));
            in.clear();
            in.seekg(offset);
            in.read(chunk.data(), size);
            if (in.gcount() != size) {
                return {Outcome::kFailed, file.path.string() + " changed while it was sent", sent};
            }
            Answer answer = http.Send("PATCH", url,
                                      {"Upload-Offset: " + std::to_string(offset),
                                       "Content-Type: application/offset+octet-stream"},
                                      chunk);
            if (answer.status == 204) {
                failures = 0;
                sent += size;
                offset += size;
                if (!answer.Header("tessera-upload-complete").empty() || offset >= file.size) {
                    return {Outcome::kUploaded, "", sent};
                }
                continue;
            }
            // Lost connection, server trouble or an offset out of step: ask where we are.
            const bool retry = answer.status == 0 || answer.status >= 500 ||
                               (answer.status == 409 && offset + size < file.size);
            if (!retry || ++failures > kMaxRetries) {
                return {Outcome::kFailed, answer.Problem(), sent};
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(500) * failures);
            const std::int64_t resumed = OffsetOf(http, url);
            if (resumed < 0) {
                return {Outcome::kFailed, answer.Problem(), sent};
            }
            offset = resumed;
        }
    }

    const UploadCommand& command_;
    UploadState& state_;
};

Error AnswerError(const Answer& answer, const std::string& what) {
    switch (answer.status) {
        case 0: return Error::Unavailable(answer.Problem());
        case 401:
            return Error::Unauthenticated("the server refused the token (" + answer.Problem() +
                                          "); create one with POST /api/v1/tokens");
        case 403: return Error::PermissionDenied(answer.Problem());
        case 404: return Error::NotFound(what);
        default: return Error::Unavailable("the server answered " + answer.Problem());
    }
}

bool IsNumber(const std::string& text) {
    return !text.empty() && text.size() < 19 &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The id of the project named `name` (names are unique, compared without letter case as the
// server does), or "" when none is.
Result<std::string> ProjectIdByName(HttpSession& http, const std::string& name) {
    Answer answer = http.Send("GET", "/api/v1/projects", {});
    if (answer.status != 200) {
        return AnswerError(answer, "the server has no project list");
    }
    json body = json::parse(answer.body, nullptr, false);
    if (!body.is_object() || !body["projects"].is_array()) {
        return Error::Unavailable("the server's project list is not JSON");
    }
    for (const json& project : body["projects"]) {
        if (project.is_object() && project.value("name", "") == name) {
            return std::to_string(project.value("id", std::int64_t{0}));
        }
    }
    for (const json& project : body["projects"]) {
        if (project.is_object() && Lower(project.value("name", "")) == Lower(name)) {
            return std::to_string(project.value("id", std::int64_t{0}));
        }
    }
    return std::string();
}

// PROJECT as given: an id, a name, or "id:N" / "name:NAME" when a number is both.
Result<std::string> ResolveProject(HttpSession& http, const std::string& project) {
    if (project.starts_with("name:") || (!IsNumber(project) && !project.starts_with("id:"))) {
        const std::string name = project.starts_with("name:") ? project.substr(5) : project;
        TESSERA_ASSIGN_OR_RETURN(std::string id, ProjectIdByName(http, name));
        if (id.empty()) {
            return Error::NotFound("no project named '" + name +
                                   "' on the server (PROJECT is a project's id or name)");
        }
        return id;
    }
    const bool explicit_id = project.starts_with("id:");
    const std::string id = explicit_id ? project.substr(3) : project;
    if (!IsNumber(id)) {
        return Error::InvalidArgument("id:" + id + " is not a project id (a number)");
    }
    Answer answer = http.Send("GET", "/api/v1/projects/" + id, {});
    if (answer.status != 200) {
        return AnswerError(answer, "no project " + id + " on the server");
    }
    if (!explicit_id) {
        TESSERA_ASSIGN_OR_RETURN(std::string named, ProjectIdByName(http, id));
        if (!named.empty() && named != id) {
            return Error::InvalidArgument("'" + id + "' could mean the project with id " + id +
                                          " or the project named '" + id + "' (id " + named +
                                          "); pass id:" + id + " or name:" + id);
        }
    }
    return id;
}

void AddFile(const fs::path& path, const std::string& relative, std::vector<UploadFileEntry>& out) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    const auto mtime = fs::last_write_time(path, ec);
    if (ec) {
        return;
    }
    out.push_back({path, relative, static_cast<std::int64_t>(size),
                   static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                 mtime.time_since_epoch())
                                                 .count())});
}

}  // namespace

Result<std::vector<UploadFileEntry>> CollectUploadFiles(const std::vector<fs::path>& paths) {
    std::vector<UploadFileEntry> files;
    for (const fs::path& given : paths) {
        std::error_code ec;
        const fs::path path = given.lexically_normal();
        const auto status = fs::status(path, ec);
        if (ec || !fs::exists(status)) {
            return Error::NotFound("no such file or folder: " + given.string());
        }
        if (fs::is_regular_file(status)) {
            if (!HasAcceptedExtension(path.filename().string())) {
                return Error::InvalidArgument(given.string() + " is not an accepted image type");
            }
            AddFile(path, path.filename().string(), files);
            continue;
        }
        // A folder keeps its own name, as a browser's folder picker sends it.
        const fs::path base = path.has_filename() ? path : path.parent_path();
        const std::string prefix = fs::absolute(base).lexically_normal().filename().string();
        fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied,
                                            ec);
        if (ec) {
            return Error::InvalidArgument("cannot read folder " + given.string() + ": " +
                                          ec.message());
        }
        for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
            if (ec) {
                break;
            }
            const std::string name = it->path().filename().string();
            if (name.starts_with('.')) {
                if (it->is_directory(ec)) {
                    it.disable_recursion_pending();
                }
                continue;
            }
            if (!it->is_regular_file(ec) || !HasAcceptedExtension(name)) {
                continue;
            }
            const std::string inside = it->path().lexically_relative(path).generic_string();
            AddFile(it->path(), prefix.empty() ? inside : prefix + "/" + inside, files);
        }
    }
    std::sort(files.begin(), files.end(),
              [](const auto& a, const auto& b) { return a.relative_path < b.relative_path; });
    return files;
}

Result<UploadSummary> RunUpload(const UploadCommand& command, std::ostream& out,
                                std::ostream& err) {
    if (command.token.empty()) {
        return Error::Unauthenticated(
            "tessera upload needs an API token: create one with POST /api/v1/tokens and pass "
            "--token TOKEN or set TESSERA_TOKEN");
    }
    TESSERA_ASSIGN_OR_RETURN(std::vector<UploadFileEntry> files, CollectUploadFiles(command.paths));
    curl_global_init(CURL_GLOBAL_DEFAULT);
    UploadCommand resolved = command;  // PROJECT as the id the upload URLs need
    {
        HttpSession probe(command.server, command.token);
        TESSERA_ASSIGN_OR_RETURN(resolved.project, ResolveProject(probe, command.project));
    }
    UploadState state(command.state_file);
    Uploader uploader(resolved, state);
    UploadSummary summary;
    std::mutex mutex;  // guards summary and the output streams
    std::atomic<std::size_t> next{0};
    std::size_t done = 0;
    const int threads = std::clamp(command.parallel, 1, 16);
    std::vector<std::thread> workers;
    workers.reserve(static_cast<std::size_t>(threads));
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&] {
            HttpSession http(command.server, command.token);
            for (std::size_t i = next++; i < files.size(); i = next++) {
                const UploadFileEntry& file = files[i];
                FileResult result = uploader.Upload(http, file);
                std::lock_guard lock(mutex);
                ++done;
                summary.bytes += result.sent;
                const std::string progress =
                    "[" + std::to_string(done) + "/" + std::to_string(files.size()) + "] ";
                switch (result.outcome) {
                    case Outcome::kUploaded:
                        ++summary.uploaded;
                        out << progress << "uploaded " << file.relative_path << " (" << file.size
                            << " bytes)\n";
                        break;
                    case Outcome::kSkipped:
                        ++summary.skipped;
                        out << progress << "skipped " << file.relative_path
                            << ": already in the project\n";
                        break;
                    case Outcome::kFailed:
                        ++summary.failed;
                        err << progress << "failed " << file.relative_path << ": " << result.message
                            << "\n";
                        break;
                }
                out.flush();
            }
        });
    }
    for (std::thread& worker : workers) {
        worker.join();
    }
    out << summary.uploaded << " uploaded, " << summary.skipped
        << " skipped (already in the project), " << summary.failed << " failed; " << summary.bytes
        << " bytes sent\n";
    return summary;
}

}  // namespace tessera::app
