#pragma once
// Pascal VOC annotations as the benches read them (BCCD in ../shared/datasets/bccd): one XML
// file an image, boxes in pixels. Boxes under 4 pixels a side are dropped, boxes running past
// the image are clipped.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "domain/shapes.hpp"

namespace tessera::bench {

struct VocObject {
    std::string name;
    Box box;  // pixels
};

struct VocAnnotation {
    std::filesystem::path image;
    int width = 0;
    int height = 0;
    std::vector<VocObject> objects;
};

inline int VocField(const std::string& xml, const std::string& tag) {
    std::smatch m;
    const std::regex re("<" + tag + ">\\s*([0-9.]+)\\s*</" + tag + ">");
    return std::regex_search(xml, m, re) ? static_cast<int>(std::stod(m[1])) : 0;
}

inline VocAnnotation ReadVoc(const std::filesystem::path& xml_path,
                             const std::filesystem::path& images) {
    std::ifstream in(xml_path);
    std::stringstream text;
    text << in.rdbuf();
    const std::string xml = text.str();
    VocAnnotation a;
    std::smatch file;
    std::regex_search(xml, file, std::regex("<filename>([^<]+)</filename>"));
    a.image = std::filesystem::canonical(images) / file[1].str();
    a.width = VocField(xml, "width");
    a.height = VocField(xml, "height");
    const std::regex object("<object>([\\s\\S]*?)</object>");
    for (auto it = std::sregex_iterator(xml.begin(), xml.end(), object);
         it != std::sregex_iterator(); ++it) {
        const std::string body = (*it)[1];
        std::smatch name;
        std::regex_search(body, name, std::regex("<name>([^<]+)</name>"));
        const int x0 = VocField(body, "xmin");
        const int y0 = VocField(body, "ymin");
        const int x1 = std::min(VocField(body, "xmax"), a.width);
        const int y1 = std::min(VocField(body, "ymax"), a.height);
        if (x1 - x0 >= 4 && y1 - y0 >= 4) {
            a.objects.push_back(
                {name[1].str(), Box{static_cast<double>(x0), static_cast<double>(y0),
                                    static_cast<double>(x1 - x0), static_cast<double>(y1 - y0)}});
        }
    }
    return a;
}

}  // namespace tessera::bench
