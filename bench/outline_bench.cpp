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
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "blobs/source_file.hpp"
#include "blobs/vips_init.hpp"
#include "domain/shapes.hpp"
#include "services/image_service.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Object {
    std::string name;
    Box box;
};

struct Annotation {
    fs::path image;
    int width = 0;
    int height = 0;
    std::vector<Object> objects;
};

int Field(const std::string& xml, const std::string& tag) {
    std::smatch m;
    const std::regex re("<" + tag + ">\\s*([0-9.]+)\\s*</" + tag + ">");
    return std::regex_search(xml, m, re) ? static_cast<int>(std::stod(m[1])) : 0;
}

Annotation ReadVoc(const fs::path& xml_path, const fs::path& images) {
    std::ifstream in(xml_path);
    std::stringstream text;
    text << in.rdbuf();
    const std::string xml = text.str();
    Annotation a;
    std::smatch file;
    std::regex_search(xml, file, std::regex("<filename>([^<]+)</filename>"));
    a.image = fs::canonical(images) / file[1].str();
    a.width = Field(xml, "width");
    a.height = Field(xml, "height");
    const std::regex object("<object>([\\s\\S]*?)</object>");
    for (auto it = std::sregex_iterator(xml.begin(), xml.end(), object);
         it != std::sregex_iterator(); ++it) {
        const std::string body = (*it)[1];
        std::smatch name;
        std::regex_search(body, name, std::regex("<name>([^<]+)</name>"));
        const int x0 = Field(body, "xmin");
        const int y0 = Field(body, "ymin");
        const int x1 = std::min(Field(body, "xmax"), a.width);
        const int y1 = std::min(Field(body, "ymax"), a.height);
        if (x1 - x0 >= 4 && y1 - y0 >= 4) {
            a.objects.push_back(
                {name[1].str(), Box{static_cast<double>(x0), static_cast<double>(y0),
                                    static_cast<double>(x1 - x0), static_cast<double>(y1 - y0)}});
        }
    }
    return a;
}

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
        const Annotation a = ReadVoc(xml, dataset / "JPEGImages");
        for (const Object& o : a.objects) {
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
