#include "blobs/vips_init.hpp"

#include <vips/vips8>

#include <mutex>
#include <string>

#include "base/log.hpp"

namespace tessera {
namespace {

// Loader classes left enabled. Magick is only here for BMP; image_format.cpp accepts it only
// for files that start with the BMP magic.
constexpr const char* kAllowedLoaders[] = {
    "VipsForeignLoadJpeg",
    "VipsForeignLoadPng",
    "VipsForeignLoadTiff",
    "VipsForeignLoadMagick",
};

// libvips reports every damaged file ("Premature end of JPEG file") through GLib warnings on
// stderr. The caller already gets the reason as an Error; keep these as debug lines in our
// own log format instead of unstructured noise.
void RouteVipsWarnings(const gchar* domain, GLogLevelFlags, const gchar* message, gpointer) {
    log::Write(log::Level::kDebug, "libvips",
               {{"domain", domain != nullptr ? domain : ""},
                {"message", message != nullptr ? message : ""}});
}

}  // namespace

Status InitVips(const char* argv0) {
    static std::once_flag once;
    static std::string failure;
    std::call_once(once, [argv0] {
        if (VIPS_INIT(argv0 != nullptr ? argv0 : "tessera") != 0) {
            failure = vips_error_buffer();
            vips_error_clear();
            return;
        }
        g_log_set_handler("VIPS",
                          static_cast<GLogLevelFlags>(G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE),
                          RouteVipsWarnings, nullptr);
        vips_cache_set_max(16);
        vips_cache_set_max_mem(std::size_t{32} * 1024 * 1024);
        vips_cache_set_max_files(16);
        vips_operation_block_set("VipsForeignLoad", TRUE);
        for (const char* loader : kAllowedLoaders) {
            vips_operation_block_set(loader, FALSE);
        }
    });
    if (!failure.empty()) {
        return Error::Internal("libvips failed to start: " + failure);
    }
    return Status::Ok();
}

}  // namespace tessera
