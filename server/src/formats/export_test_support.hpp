#pragma once
// Shared by the export writer tests: a small hand-made project and in-memory sinks.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "base/byte_sink.hpp"
#include "formats/export_image.hpp"

namespace tessera::testing {

class MemorySink final : public ByteSink {
public:
    Status Write(std::string_view bytes) override {
        data.append(bytes);
        largest_write = std::max(largest_write, bytes.size());
        return Status::Ok();
    }
    std::string data;
    std::size_t largest_write = 0;
};

// Counts bytes without keeping them: for size-independent memory checks.
class CountingSink final : public ByteSink {
public:
    Status Write(std::string_view bytes) override {
        total += bytes.size();
        largest_write = std::max(largest_write, bytes.size());
        return Status::Ok();
    }
    std::size_t total = 0;
    std::size_t largest_write = 0;
};

class FailAfterSink final : public ByteSink {
public:
    explicit FailAfterSink(int ok_writes) : ok_writes_(ok_writes) {}
    Status Write(std::string_view) override {
        if (ok_writes_-- <= 0) {
            return Error::Unavailable("client went away");
        }
        return Status::Ok();
    }

private:
    int ok_writes_;
};

inline Shape MakeBox(std::string label, double x, double y, double w, double h) {
    return Shape{std::move(label), Box{x, y, w, h}, std::nullopt, ""};
}

inline Shape MakePolygon(std::string label, std::vector<Ring> rings) {
    return Shape{std::move(label), Polygon{std::move(rings)}, std::nullopt, ""};
}

inline Shape MakeMask(std::string label, std::vector<std::int64_t> runs) {
    return Shape{std::move(label), MaskRle{std::move(runs)}, std::nullopt, ""};
}

inline ExportCategories SampleCategories() {
    auto tree =
        LabelTree::Build({LabelSpec{"Animal", {LabelSpec{"Cat", {}}}}, LabelSpec{"Dog", {}}});
    EXPECT_TRUE(tree.ok());
    return ExportCategories::FromTree(*tree);
}

inline ExportImage SampleImage(std::int64_t id, std::string file_name, int width, int height,
                               std::vector<Shape> shapes) {
    ExportImage image;
    image.id = id;
    image.image_url = "/data/pets/" + file_name;
    image.file_name = std::move(file_name);
    image.format = "jpg";
    image.width = width;
    image.height = height;
    image.labeler = "alice";
    image.labeled_at = "2024-01-02T03:04:05.000Z";
    image.shapes = std::move(shapes);
    return image;
}

// The detection sample: the Azure docs' 640x480 box (10,10) 30x60 px, a two-ring polygon, a
// prelabel with a confidence, and a second image with a whole-image box.
inline std::vector<ExportImage> DetectionSample() {
    Shape prelabel = MakeBox("Dog", 100.5, 200.25, 50, 40.5);
    prelabel.confidence = 0.75;
    return {
        SampleImage(7, "indoor/cat & dog.jpg", 640, 480,
                    {MakeBox("Animal/Cat", 10, 10, 30, 60),
                     MakePolygon("Animal", {{{300, 100}, {400, 100}, {350, 180}},
                                            {{500, 300}, {600, 300}, {600, 400}, {500, 400}}}),
                     prelabel}),
        SampleImage(9, "b.png", 100, 50, {MakeBox("Dog", 0, 0, 100, 50)}),
    };
}

inline std::string ReadTestFile(const std::string& name) {
    std::ifstream in(std::string(TESSERA_FORMATS_TESTDATA) + "/" + name, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// Compares with testdata/<name>. TESSERA_UPDATE_GOLDEN=1 rewrites the file instead (review the
// diff before committing it).
inline void ExpectGolden(const std::string& name, const std::string& actual) {
    if (std::getenv("TESSERA_UPDATE_GOLDEN") != nullptr) {
        std::ofstream out(std::string(TESSERA_FORMATS_TESTDATA) + "/" + name, std::ios::binary);
        out << actual;
        return;
    }
    EXPECT_EQ(ReadTestFile(name), actual) << "golden file testdata/" << name;
}

}  // namespace tessera::testing
