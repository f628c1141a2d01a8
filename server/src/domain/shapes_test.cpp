#include "domain/shapes.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "domain/raster.hpp"
#include "domain/shape_checks.hpp"

namespace tessera {
namespace {

using nlohmann::json;

LabelTree AnimalRoadSkyTree() {
    return *LabelTree::FromJson(json::parse(
        R"([{"name":"Animal","children":[{"name":"Cat"}]},{"name":"Road"},{"name":"Sky"}])"));
}

std::vector<Shape> Parse(const char* text) {
    auto shapes = ShapesFromJson(json::parse(text));
    EXPECT_TRUE(shapes.ok()) << shapes.error().message;
    return shapes.ok() ? *shapes : std::vector<Shape>{};
}

Error ValidateError(TaskType type, const char* text, ImageSize size = {100, 50}) {
    auto shapes = ShapesFromJson(json::parse(text));
    if (!shapes.ok()) {
        return shapes.error();
    }
    auto valid = ValidateShapes(type, AnimalRoadSkyTree(), size, *shapes);
    EXPECT_FALSE(valid.ok()) << text;
    return valid.ok() ? Error{} : valid.error();
}

TEST(ShapesTest, JsonRoundTripKeepsEveryForm) {
    const json in = json::parse(R"([
        {"label": "Animal/Cat", "type": "box", "x": 1.5, "y": 2, "w": 3, "h": 4,
         "confidence": 0.25, "id": "a1"},
        {"label": "Road", "type": "polygon", "points": [[0, 0], [10, 0], [0, 10]]},
        {"label": "Road", "type": "polygon",
         "rings": [[[0, 0], [10, 0], [0, 10]], [[20, 20], [30, 20], [20, 30]]]},
        {"label": "Sky", "type": "mask", "rle": [0, 5, 10, 2]}])");
    auto shapes = ShapesFromJson(in);
    ASSERT_TRUE(shapes.ok()) << shapes.error().message;
    ASSERT_EQ(shapes->size(), 4U);
    EXPECT_EQ(std::get<Box>((*shapes)[0].geometry), (Box{1.5, 2, 3, 4}));
    EXPECT_EQ((*shapes)[0].confidence, 0.25);
    EXPECT_EQ(std::get<Polygon>((*shapes)[2].geometry).rings.size(), 2U);
    EXPECT_EQ(ShapesToJson(*shapes), in);
    EXPECT_EQ(*ShapesFromJson(ShapesToJson(*shapes)), *shapes);
}

TEST(ShapesTest, ParseErrorsNameTheShape) {
    struct Case {
        const char* json;
        const char* message;
    };
    const Case cases[] = {
        {R"([{"label":"Road","type":"box","x":0,"y":0,"w":1,"h":1}, 5])",
         "shapes[1]: a shape must be an object"},
        {R"([{"type":"box","x":0,"y":0,"w":1,"h":1}])", "shapes[0]: \"label\" must be a string"},
        {R"([{"label":"Road","type":"circle"}])", "shapes[0]: unknown shape type 'circle'"},
        {R"([{"label":"Road","type":"box","x":0,"y":"1","w":1,"h":1}])",
         "shapes[0]: \"y\" must be a number"},
        {R"([{"label":"Road","type":"polygon","points":[[0,0],[1]]}])",
         "shapes[0]: a point must be [x, y] with two numbers"},
        {R"([{"label":"Road","type":"polygon","points":[[0,0]],"rings":[]}])",
         "shapes[0]: a polygon takes either \"points\" or \"rings\""},
        {R"([{"label":"Road","type":"mask","rle":[0,1.5]}])",
         "shapes[0]: mask runs must be integers"},
        {R"([{"label":"Road","type":"box","x":0,"y":0,"w":1,"h":1,"confidence":2}])",
         "shapes[0]: \"confidence\" must be between 0 and 1"},
    };
    for (const Case& c : cases) {
        auto shapes = ShapesFromJson(json::parse(c.json));
        ASSERT_FALSE(shapes.ok()) << c.json;
        EXPECT_EQ(shapes.error().message, c.message);
        EXPECT_EQ(shapes.error().code, ErrorCode::kInvalidArgument);
        EXPECT_EQ(shapes.error().field, std::string(c.message).substr(0, 9));
    }
    EXPECT_EQ(ShapesFromJson(json::object()).error().field, "shapes");
}

TEST(ShapesTest, NonFiniteNumbersAreRejected) {
    // JSON text cannot spell NaN or infinity, but a json built in code (or an overflowing
    // literal) can carry them.
    json shape = {{"label", "Road"}, {"type", "box"}, {"x", 0}, {"y", 0}, {"w", 1}, {"h", 1}};
    shape["w"] = std::numeric_limits<double>::infinity();
    EXPECT_EQ(ShapesFromJson(json::array({shape})).error().message,
              "shapes[0]: \"w\" must be finite");
    json polygon = {{"label", "Road"}, {"type", "polygon"}};
    polygon["points"] =
        json::array({json::array({0, 0}), json::array({1, 0}), json::array({std::nan(""), 1})});
    EXPECT_EQ(ShapesFromJson(json::array({polygon})).error().message,
              "shapes[0]: point coordinates must be finite");
}

TEST(ShapesTest, BoxesAreClampedNormalisedAndNeedArea) {
    auto valid =
        ValidateShapes(TaskType::kBbox, AnimalRoadSkyTree(), {100, 50},
                       Parse(R"([{"label":"Animal/Cat","type":"box","x":-10,"y":40,"w":30,"h":20},
                  {"label":"Road","type":"box","x":50,"y":30,"w":-20,"h":-10}])"));
    ASSERT_TRUE(valid.ok()) << valid.error().message;
    EXPECT_EQ(std::get<Box>((*valid)[0].geometry), (Box{0, 40, 20, 10}));
    EXPECT_EQ(std::get<Box>((*valid)[1].geometry), (Box{30, 20, 20, 10}));
    Error flat = ValidateError(TaskType::kBbox, R"([
        {"label":"Road","type":"box","x":1,"y":1,"w":5,"h":5},
        {"label":"Road","type":"box","x":1,"y":1,"w":0,"h":5}])");
    EXPECT_EQ(flat.message, "shapes[1]: box has zero area inside the image");
    EXPECT_EQ(flat.field, "shapes[1]");
    // Entirely outside the image: clamping leaves nothing.
    EXPECT_EQ(ValidateError(TaskType::kBbox,
                            R"([{"label":"Road","type":"box","x":200,"y":1,"w":5,"h":5}])")
                  .message,
              "shapes[0]: box has zero area inside the image");
}

TEST(ShapesTest, LabelsAndKindsMustFitTheProject) {
    EXPECT_EQ(
        ValidateError(TaskType::kBbox, R"([{"label":"Cat","type":"box","x":1,"y":1,"w":5,"h":5}])")
            .message,
        "shapes[0]: label 'Cat' is not in this project");
    EXPECT_EQ(ValidateError(TaskType::kBbox,
                            R"([{"label":"Road","type":"polygon","points":[[0,0],[5,0],[0,5]]}])")
                  .message,
              "shapes[0]: a bbox project does not take a polygon");
    EXPECT_EQ(ValidateError(TaskType::kSemantic,
                            R"([{"label":"Road","type":"box","x":1,"y":1,"w":5,"h":5}])")
                  .message,
              "shapes[0]: a semantic project does not take a box");
    EXPECT_EQ(ValidateError(TaskType::kMulticlass, "[]").field, "shapes");
    auto unknown_size = ValidateShapes(TaskType::kBbox, AnimalRoadSkyTree(), {0, 0}, {});
    EXPECT_EQ(unknown_size.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_TRUE(ValidateShapes(TaskType::kBbox, AnimalRoadSkyTree(), {10, 10}, {}).ok());
    EXPECT_TRUE(CheckShapeLabels(TaskType::kPolygon, AnimalRoadSkyTree(),
                                 Parse(R"([{"label":"Road","type":"polygon","points":[]}])"))
                    .ok());
}

TEST(ShapesTest, PolygonsNeedThreeDistinctPointsAndArea) {
    EXPECT_EQ(ValidateError(TaskType::kPolygon,
                            R"([{"label":"Road","type":"polygon","points":[[0,0],[5,0],[0,5]]},
                                {"label":"Road","type":"polygon","points":[[0,0],[5,0],[5,0],[0,0]]}])")
                  .message,
              "shapes[1]: polygon needs at least 3 distinct points");
    EXPECT_EQ(ValidateError(TaskType::kPolygon,
                            R"([{"label":"Road","type":"polygon","points":[[0,0],[5,5],[10,10]]}])")
                  .message,
              "shapes[0]: polygon has zero area inside the image");
    // Clamping can collapse a polygon that lies outside the image onto its border.
    EXPECT_EQ(
        ValidateError(TaskType::kPolygon,
                      R"([{"label":"Road","type":"polygon","points":[[200,0],[300,10],[250,40]]}])")
            .message,
        "shapes[0]: polygon has zero area inside the image");
    EXPECT_EQ(ValidateError(TaskType::kPolygon,
                            R"([{"label":"Road","type":"polygon",
                                 "rings":[[[0,0],[5,0],[0,5]],[[1,1],[2,2]]]}])")
                  .message,
              "shapes[0]: polygon ring 1 needs at least 3 distinct points");

    auto valid = ValidateShapes(
        TaskType::kPolygon, AnimalRoadSkyTree(), {100, 50},
        Parse(
            R"([{"label":"Road","type":"polygon","points":[[-5,0],[5,0],[5,0],[5,60],[-5,0]]}])"));
    ASSERT_TRUE(valid.ok()) << valid.error().message;
    EXPECT_EQ(std::get<Polygon>((*valid)[0].geometry), (Polygon{{{{0, 0}, {5, 0}, {5, 50}}}}));
}

TEST(ShapesTest, SemanticPolygonsBecomeMasksAndLaterShapesWin) {
    // 10 x 4 image. Road mask: the top two rows. A Sky polygon over columns [0, 4) of rows 1-2
    // then paints over part of the Road, and is itself a mask afterwards.
    auto valid =
        ValidateShapes(TaskType::kSemantic, AnimalRoadSkyTree(), {10, 4},
                       Parse(R"([{"label":"Road","type":"mask","rle":[10,10,0,10],"id":"r"},
                  {"label":"Sky","type":"polygon","points":[[0,1],[4,1],[4,3],[0,3]]},
                  {"label":"Road","type":"mask","rle":[30,2]}])"));
    ASSERT_TRUE(valid.ok()) << valid.error().message;
    ASSERT_EQ(valid->size(), 2U);
    EXPECT_EQ((*valid)[0].label, "Road");
    EXPECT_EQ((*valid)[0].id, "r");
    EXPECT_EQ(std::get<MaskRle>((*valid)[0].geometry).runs, (Runs{0, 10, 14, 6, 30, 2}));
    EXPECT_EQ((*valid)[1].label, "Sky");
    EXPECT_EQ(std::get<MaskRle>((*valid)[1].geometry).runs, (Runs{10, 4, 20, 4}));
}

TEST(ShapesTest, SemanticMasksMustNotOverlapAndStayInside) {
    EXPECT_EQ(ValidateError(TaskType::kSemantic,
                            R"([{"label":"Road","type":"mask","rle":[0,10]},
                                {"label":"Sky","type":"mask","rle":[5,2]}])",
                            {10, 4})
                  .message,
              "shapes[1]: mask overlaps the mask of 'Road'");
    EXPECT_EQ(ValidateError(TaskType::kSemantic, R"([{"label":"Road","type":"mask","rle":[38,3]}])",
                            {10, 4})
                  .message,
              "shapes[0]: mask run 0 reaches outside the image");
    EXPECT_EQ(
        ValidateError(TaskType::kSemantic, R"([{"label":"Road","type":"mask","rle":[]}])", {10, 4})
            .message,
        "shapes[0]: mask is empty");
    // A sliver between pixel centres has area but no pixel.
    EXPECT_EQ(ValidateError(TaskType::kSemantic,
                            R"([{"label":"Road","type":"polygon","points":[[0,0],[9,0],[9,0.2]]}])",
                            {10, 4})
                  .message,
              "shapes[0]: polygon covers no pixel centre");
}

TEST(ShapesTest, SemanticShapeEntirelyPaintedOverDisappears) {
    auto valid = ValidateShapes(
        TaskType::kSemantic, AnimalRoadSkyTree(), {4, 4},
        Parse(R"([{"label":"Road","type":"polygon","points":[[0,0],[2,0],[2,2],[0,2]]},
                  {"label":"Sky","type":"polygon","points":[[0,0],[4,0],[4,4],[0,4]]}])"));
    ASSERT_TRUE(valid.ok()) << valid.error().message;
    ASSERT_EQ(valid->size(), 1U);
    EXPECT_EQ(std::get<MaskRle>((*valid)[0].geometry).runs, (Runs{0, 16}));
}

}  // namespace
}  // namespace tessera
