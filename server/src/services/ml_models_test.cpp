// `tessera model add`'s service (ml_models.hpp): what it checks before storing a model, the
// download's guards, and how rounds see registered models. The probe and the network are fakes
// here; the real binary adds the real default network in MlAssistIt.
#include "services/ml_models.hpp"

#include <gtest/gtest.h>

#include <deque>

#include "services/service_test_support.hpp"
#include "services/sha256.hpp"

namespace tessera {
namespace {

using testing::ServiceEnv;

// A backbone that only records its spec: RegisteredBackbones never runs one.
class SpecOnlyBackbone final : public ml::Backbone {
public:
    explicit SpecOnlyBackbone(ml::BackboneSpec spec) : spec_(std::move(spec)) {}
    const ml::BackboneSpec& Spec() const override { return spec_; }
    Result<std::vector<float>> Embed(std::span<const ml::RgbImage>) override {
        return Error::Internal("not run in these tests");
    }

private:
    ml::BackboneSpec spec_;
};

class MlModelsTest : public ::testing::Test {
protected:
    MlModelsTest()
        : registry_(*env_.repo, env_.clock,
                    [this](std::span<const std::byte> onnx, const ml::BackboneSpec& spec) {
                        probed_.push_back(spec);
                        if (std::string(reinterpret_cast<const char*>(onnx.data()), onnx.size()) ==
                            "broken") {
                            return Result<int>(Error::InvalidArgument("OpenCV says no"));
                        }
                        return Result<int>(512);
                    }) {}

    static ModelToAdd Request(const std::string& name) {
        ModelToAdd r;
        r.name = name;
        r.source = "/models/" + name + ".onnx";
        r.input_width = 256;
        r.input_height = 192;
        r.mean = {0.485, 0.456, 0.406};
        r.std = {0.229, 0.224, 0.225};
        return r;
    }

    ServiceEnv env_;
    std::vector<ml::BackboneSpec> probed_;
    MlModelRegistry registry_;
};

TEST_F(MlModelsTest, AddsAModelThatRunsWithItsSettingsMeasuredWidthAndDigest) {
    env_.clock.Advance(5000);
    auto added = registry_.Add(Request("resnet50"), "onnx bytes");
    ASSERT_TRUE(added.ok()) << added.error().message;
    EXPECT_EQ(added->dimensions, 512);  // what the probe measured
    EXPECT_EQ(added->sha256, Sha256Hex("onnx bytes"));
    EXPECT_EQ(added->created_at, env_.clock.NowMs());
    ASSERT_EQ(probed_.size(), 1U);  // run under the spec it will run under
    EXPECT_EQ(probed_[0].input_width, 256);
    EXPECT_EQ(probed_[0].input_height, 192);
    EXPECT_FLOAT_EQ(probed_[0].std[2], 0.225F);
    EXPECT_EQ(probed_[0].version, added->sha256);

    auto listed = registry_.List();
    ASSERT_TRUE(listed.ok());
    ASSERT_EQ(listed->size(), 1U);
    EXPECT_EQ((*listed)[0].source, "/models/resnet50.onnx");
    EXPECT_EQ(*env_.repo->GetMlModelOnnx("resnet50"), "onnx bytes");

    ModelToAdd checked = Request("checked");
    checked.sha256 = Sha256Hex("other bytes");
    std::transform(checked.sha256->begin(), checked.sha256->end(), checked.sha256->begin(),
                   ::toupper);  // a digest in capitals is the same digest
    EXPECT_TRUE(registry_.Add(checked, "other bytes").ok());
}

TEST_F(MlModelsTest, RefusesWhatIsWrongNamingTheFieldAndStoresNothing) {
    const auto field_of = [&](const ModelToAdd& r, const std::string& onnx) {
        auto added = registry_.Add(r, onnx);
        EXPECT_FALSE(added.ok());
        return added.ok() ? std::string("(added)") : added.error().field;
    };
    for (const std::string& name :
         std::vector<std::string>{"", "Resnet", "-x", "a b", "a/b", std::string(65, 'a'),
                                  "mobilenet_v2_140", "handcrafted"}) {
        EXPECT_EQ(field_of(Request(name), "x"), "name") << name;
    }
    ModelToAdd tiny = Request("tiny");
    tiny.input_width = 8;
    EXPECT_EQ(field_of(tiny, "x"), "input");
    ModelToAdd mean = Request("mean");
    mean.mean[1] = std::nan("");
    EXPECT_EQ(field_of(mean, "x"), "mean");
    ModelToAdd spread = Request("spread");
    spread.std[0] = 0;
    EXPECT_EQ(field_of(spread, "x"), "std");
    ModelToAdd digest = Request("digest");
    digest.sha256 = std::string(64, '0');
    EXPECT_EQ(field_of(digest, "x"), "sha256");
    EXPECT_EQ(field_of(Request("empty"), ""), "model");
    auto broken = registry_.Add(Request("broken"), "broken");
    ASSERT_FALSE(broken.ok());
    EXPECT_EQ(broken.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(broken.error().message, "OpenCV says no");
    EXPECT_EQ(broken.error().field, "model");
    EXPECT_TRUE(registry_.List()->empty());

    ASSERT_TRUE(registry_.Add(Request("taken"), "x").ok());
    EXPECT_EQ(registry_.Add(Request("taken"), "y").error().code, ErrorCode::kConflict);
}

TEST_F(MlModelsTest, RemovingAModelDropsItsEmbeddingsOnly) {
    auto added = registry_.Add(Request("resnet50"), "onnx bytes");
    ASSERT_TRUE(added.ok());
    const std::string id = ml::BackboneId(RegisteredSpec(*added));
    EXPECT_EQ(id, "resnet50@" + added->sha256.substr(0, 16));
    Project project;
    project.name = "p";
    project.task_type = TaskType::kMulticlass;
    auto created = env_.repo->CreateProject(project);
    ASSERT_TRUE(created.ok()) << created.error().message;
    NewItem a;
    a.path = "a.png";
    NewItem b;
    b.path = "b.png";
    ASSERT_TRUE(env_.repo->InsertItems(created->id, {a, b}, 0).ok());
    auto items = env_.repo->ListItems(created->id, ItemFilter{});
    ASSERT_TRUE(items.ok());
    ASSERT_TRUE(
        env_.repo->PutEmbeddings(id, {{(*items)[0].id, "e1"}, {(*items)[1].id, "e2"}}).ok());
    ASSERT_TRUE(env_.repo->PutEmbeddings("other@1", {{(*items)[0].id, "kept"}}).ok());
    auto removed = registry_.Remove("resnet50");
    ASSERT_TRUE(removed.ok()) << removed.error().message;
    EXPECT_EQ(*removed, 2);
    EXPECT_EQ(env_.repo->GetEmbeddings(created->id, "other@1", {(*items)[0].id})->size(), 1U);
    EXPECT_EQ(registry_.Remove("resnet50").error().code, ErrorCode::kNotFound);
}

// Answers each request with the next canned response, recording the URLs asked for.
class CannedTransport final : public HttpTransport {
public:
    struct Canned {
        int status = 200;
        std::string body;
        std::string location;
    };
    std::deque<Canned> answers;
    std::vector<std::string> urls;

    HttpResponse Send(const HttpRequest& request, const HttpBodySink& sink) override {
        urls.push_back(request.url);
        HttpResponse response;
        if (answers.empty()) {
            response.failure = "connection refused";
            return response;
        }
        const Canned c = answers.front();
        answers.pop_front();
        response.status = c.status;
        if (!c.location.empty()) {
            response.headers.emplace_back("location", c.location);
        }
        for (std::size_t at = 0; at < c.body.size(); at += 4) {  // in small chunks
            if (!sink(c.status, std::string_view(c.body).substr(at, 4))) {
                response.aborted = true;
                break;
            }
        }
        return response;
    }
};

TEST(DownloadModelTest, FollowsHttpsRedirectsAndChecksTheDigest) {
    const std::string model = "the model's bytes";
    CannedTransport net;
    net.answers = {{302, "moved", "https://cdn.example.com/m.onnx?sig=1"},
                   {307, "", "/final/m.onnx"},
                   {200, model, ""}};
    auto got = DownloadModel(net, "https://example.com/m.onnx", Sha256Hex(model), 1 << 20);
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_EQ(*got, model);
    EXPECT_EQ(net.urls, (std::vector<std::string>{"https://example.com/m.onnx",
                                                  "https://cdn.example.com/m.onnx?sig=1",
                                                  "https://cdn.example.com/final/m.onnx"}));
}

TEST(DownloadModelTest, RefusesWhatItCannotTrust) {
    const std::string model = "the model's bytes";
    const std::string digest = Sha256Hex(model);
    CannedTransport net;
    EXPECT_EQ(DownloadModel(net, "http://example.com/m.onnx", digest, 1 << 20).error().field,
              "url");
    EXPECT_EQ(DownloadModel(net, "https://example.com/m", "abc", 1 << 20).error().field, "sha256");
    EXPECT_TRUE(net.urls.empty());  // neither asked the network

    net.answers = {{301, "", "http://plain.example.com/m.onnx"}};
    auto downgraded = DownloadModel(net, "https://example.com/m", digest, 1 << 20);
    EXPECT_NE(downgraded.error().message.find("not https://"), std::string::npos);

    net.answers = {{200, "tampered bytes", ""}};
    auto tampered = DownloadModel(net, "https://example.com/m", digest, 1 << 20);
    EXPECT_EQ(tampered.error().field, "sha256");
    EXPECT_NE(tampered.error().message.find("not " + digest), std::string::npos);

    net.answers = {{200, std::string(100, 'x'), ""}};
    EXPECT_NE(
        DownloadModel(net, "https://example.com/m", digest, 10).error().message.find("larger than"),
        std::string::npos);

    net.answers = {{404, "not found", ""}};
    EXPECT_EQ(DownloadModel(net, "https://example.com/m", digest, 1 << 20).error().code,
              ErrorCode::kUnavailable);
    net.answers.clear();
    EXPECT_EQ(DownloadModel(net, "https://example.com/m", digest, 1 << 20).error().code,
              ErrorCode::kUnavailable);
    for (int i = 0; i < 7; ++i) {
        net.answers.push_back({302, "", "https://example.com/loop"});
    }
    EXPECT_NE(DownloadModel(net, "https://example.com/m", digest, 1 << 20)
                  .error()
                  .message.find("redirects more than 5 times"),
              std::string::npos);
}

TEST_F(MlModelsTest, RoundsSeeModelsAddedSinceAndLoadEachOnce) {
    int made = 0;
    RegisteredBackbones registered(
        *env_.repo, [&](std::span<const std::byte> onnx, ml::BackboneSpec spec) {
            ++made;
            EXPECT_EQ(std::string(reinterpret_cast<const char*>(onnx.data()), onnx.size()),
                      "bytes of " + spec.name);
            return std::make_unique<SpecOnlyBackbone>(std::move(spec));
        });
    EXPECT_TRUE(registered.Current()->empty());
    ASSERT_TRUE(registry_.Add(Request("alpha"), "bytes of alpha").ok());
    auto first = registered.Current();
    ASSERT_TRUE(first.ok());
    ASSERT_EQ(first->size(), 1U);
    EXPECT_EQ((*first)[0].backbone->Spec().dimensions, 512);
    EXPECT_EQ((*first)[0].backbone->Spec().input_width, 256);
    ASSERT_TRUE(registry_.Add(Request("beta"), "bytes of beta").ok());
    auto second = registered.Current();
    ASSERT_EQ(second->size(), 2U);
    EXPECT_EQ((*second)[0].backbone, (*first)[0].backbone);  // alpha kept, not made again
    EXPECT_EQ((*second)[1].id, "beta@" + Sha256Hex("bytes of beta").substr(0, 16));
    EXPECT_EQ(made, 2);
    ASSERT_TRUE(registry_.Remove("alpha").ok());
    auto third = registered.Current();
    ASSERT_EQ(third->size(), 1U);
    EXPECT_EQ((*third)[0].id, (*second)[1].id);
}

}  // namespace
}  // namespace tessera
