// The drawing page's "outline in box" helper (POST …/outline; docs/design/ml.md, "Boxes and
// polygons") on real boxes: BCCD's blood cells with their annotated boxes.
//
//   tessera_outline_bench --dataset DIR [--limit 40]
//
// DIR holds Pascal VOC's Annotations/*.xml and JPEGImages/ (../shared/datasets/bccd). For the
// first `limit` annotation files (sorted), each object's box is outlined as the server does it
// (OutlineInImage: decode so the box is at most 400 pixels a side, GrabCut, trace, simplify).
// Prints per class the milliseconds a box (p50, p95), the share of boxes given a polygon, and
// how much of its box the polygon fills (a cell fills about pi/4 of its box; a polygon that
// fills all of it outlined the box, not the cell). Results: docs/PERFORMANCE.md.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "blobs/source_file.hpp"
#include "blobs/vips_init.hpp"
#include "domain/shapes.hpp"
#include "services/image_service.hpp"
#include "voc_dataset.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Tally {
    std::vector<double> ms;
    int found = 0;
    double fill_sum = 0;
};

double Percentile(std::vector<double> v, double q) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))];
}

int Run(const fs::path& dataset, int limit) {
    std::vector<fs::path> xmls;
    for (const auto& e : fs::directory_iterator(dataset / "Annotations")) {
        if (e.path().extension() == ".xml") {
            xmls.push_back(e.path());
        }
    }
    std::sort(xmls.begin(), xmls.end());
    xmls.resize(std::min(xmls.size(), static_cast<std::size_t>(limit)));
    std::map<std::string, Tally> by_class;
    for (const fs::path& xml : xmls) {
        const bench::VocAnnotation a = bench::ReadVoc(xml, dataset / "JPEGImages");
        for (const bench::VocObject& o : a.objects) {
            auto file = SourceFile::Open({fs::canonical(dataset / "JPEGImages"), a.image});
            if (!file.ok()) {
                std::fprintf(stderr, "%s: %s\n", a.image.c_str(), file.error().message.c_str());
                return 1;
            }
            const auto start = Clock::now();
            auto ring = OutlineInImage(*file, a.width, a.height, o.box);
            const double ms =
                std::chrono::duration<double, std::milli>(Clock::now() - start).count();
            if (!ring.ok()) {
                std::fprintf(stderr, "%s: %s\n", a.image.c_str(), ring.error().message.c_str());
                return 1;
            }
            Tally& t = by_class[o.name];
            t.ms.push_back(ms);
            if (ring->size() >= 3) {
                ++t.found;
                t.fill_sum += RingArea(*ring) / (o.box.w * o.box.h);
            }
        }
    }
    std::printf("%zu images\n", xmls.size());
    std::printf("%-10s %6s %9s %9s %8s %10s\n", "class", "boxes", "p50 ms", "p95 ms", "found",
                "mean fill");
    for (const auto& [name, t] : by_class) {
        std::printf("%-10s %6zu %9.1f %9.1f %7.1f%% %10.2f\n", name.c_str(), t.ms.size(),
                    Percentile(t.ms, 0.5), Percentile(t.ms, 0.95),
                    100.0 * t.found / static_cast<double>(t.ms.size()),
                    t.found > 0 ? t.fill_sum / t.found : 0.0);
    }
    return 0;
}

}  // namespace
}  // namespace tessera

int main(int argc, char** argv) {
    std::filesystem::path dataset;
    int limit = 40;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--dataset") {
            dataset = argv[i + 1];
        } else if (flag == "--limit") {
            limit = std::atoi(argv[i + 1]);
        }
    }
    if (dataset.empty()) {
        std::fprintf(stderr, "usage: tessera_outline_bench --dataset DIR [--limit 40]\n");
        return 2;
    }
    if (!tessera::InitVips(argv[0]).ok()) {
        std::fprintf(stderr, "libvips did not start\n");
        return 1;
    }
    return tessera::Run(dataset, limit);
}
