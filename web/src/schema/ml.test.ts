import { describe, expect, it } from "vitest";
import type { EffortFigures, MlAssist, MlRound, MlSavings } from "./api";
import { mlHeadline, parsePrecisionPercent, savingsText, stageSummary, thresholdText } from "./ml";

const base: MlAssist = {
    supported: true,
    unsupported_reason: "",
    settings: {
        enabled: true,
        target_precision: 0.95,
        min_labels_per_class: 5,
        retrain_after_labels: 200,
    },
    human_labels: 40,
    stages: [],
    last_round: null,
    threshold: null,
    coverage: null,
    prelabeled: null,
    next: { due: false, reason: "" },
    rounds: [],
};

describe("stageSummary", () => {
    it("says what a box detector's stages did", () => {
        expect(
            stageSummary({
                name: "featurization",
                status: "done",
                metrics: { embedded: 205, feature_maps: true, map: [20, 15, 1792], seconds: 24.4 },
            }),
        ).toBe("205 images mapped (20 × 15 cells) in 24 s");
        expect(
            stageSummary({
                name: "training",
                status: "done",
                metrics: { labels: 205, boxes: 4012, classes: 3, features: "mobilenet_v2_140 map" },
            }),
        ).toBe("box detector on CNN (MobileNetV2) feature maps: 205 images, 4012 boxes, 3 classes");
        expect(
            stageSummary({
                name: "validation",
                status: "done",
                metrics: {
                    held_out: 205,
                    human_boxes: 4012,
                    recall: 0.25,
                    threshold: 0.61,
                    precision: 0.97,
                    lower_bound: 0.951,
                },
            }),
        ).toBe(
            "recall 25.0% of 4012 boxes on 205 held-out images (IoU ≥ 0.5); thresholds per class from 61.0% (precision 97.0%, at least 95.1%)",
        );
        expect(
            stageSummary({
                name: "inference",
                status: "done",
                metrics: { prelabeled: 40, window: 300, boxes: 95 },
            }),
        ).toBe("40 of the next 300 items prelabeled (95 shapes)");
    });

    it("says what each stage did from its figures", () => {
        expect(
            stageSummary({
                name: "featurization",
                status: "done",
                metrics: { embedded: 90, cached: 0, failed: 2, seconds: 3.2 },
            }),
        ).toBe("90 images embedded, 0 cached, 2 unreadable in 3.2 s");
        expect(
            stageSummary({
                name: "validation",
                status: "done",
                metrics: {
                    held_out: 40,
                    accuracy: 1,
                    threshold: 0.8712,
                    precision: 1,
                    lower_bound: 0.912,
                },
            }),
        ).toBe(
            "accuracy 100% on 40 held-out labels; thresholds per class from 87.1% (precision 100%, at least 91.2%)",
        );
        expect(
            stageSummary({
                name: "validation",
                status: "done",
                metrics: { held_out: 12, accuracy: 0.75, why_none: "too few labels" },
            }),
        ).toBe("accuracy 75.0% on 12 held-out labels; too few labels");
        expect(
            stageSummary({
                name: "validation",
                status: "done",
                metrics: {
                    held_out: 650,
                    accuracy: 0.8,
                    judged_for_window: 1000,
                    effective_for_window: 712.4,
                    threshold: 0.8,
                    precision: 0.97,
                    lower_bound: 0.955,
                },
            }),
        ).toBe(
            "accuracy 80.0% on 650 held-out labels; judged on all 1000 labels, weighted to stand for the items to prelabel (as many as 712); thresholds per class from 80.0% (precision 97.0%, at least 95.5%)",
        );
        expect(
            stageSummary({
                name: "inference",
                status: "done",
                metrics: { prelabeled: 45, window: 50 },
            }),
        ).toBe("45 of the next 50 items prelabeled");
        expect(stageSummary({ name: "training", status: "pending" })).toBe("");
        const candidate = { labels: 1000, accuracy: 0.8, covered: 500, threshold: 0.9 };
        expect(
            stageSummary({
                name: "training",
                status: "done",
                metrics: {
                    labels: 1000,
                    classes: 10,
                    seconds: 12.4,
                    features: "mobilenet_v2_140+handcrafted",
                    feature_candidates: [
                        { ...candidate, features: "mobilenet_v2_140" },
                        { ...candidate, features: "handcrafted" },
                        { ...candidate, features: "mobilenet_v2_140+handcrafted" },
                    ],
                },
            }),
        ).toBe(
            "1000 labels, 10 classes; features: CNN (MobileNetV2) + handcrafted (best of 3 on held-out labels) in 12 s",
        );
        expect(
            stageSummary({ name: "training", status: "done", metrics: { labels: 40, classes: 2 } }),
        ).toBe("40 labels, 2 classes");
    });
});

describe("mlHeadline", () => {
    it("covers off, unsupported, no threshold and prelabeling", () => {
        expect(mlHeadline({ ...base, settings: { ...base.settings, enabled: false } })).toBe(
            "ML assist is off.",
        );
        expect(mlHeadline({ ...base, supported: false, unsupported_reason: "boxes later" })).toBe(
            "boxes later",
        );
        expect(mlHeadline(base)).toBe("No round has finished yet.");
        expect(mlHeadline({ ...base, threshold: 0.9, prelabeled: 45, coverage: 0.9 })).toBe(
            "Prelabeling 45 items (90.0% of the next items), from confidence 90.0% (each class has its own threshold).",
        );
        const round: MlRound = {
            id: 1,
            job_id: 2,
            state: "done",
            stage: "inference",
            backbone: "handcrafted@v1",
            labels_used: 60,
            threshold: 0.9,
            prelabeled: 30,
            message: "",
            metrics: { validation: { threshold: 0.9, judged_as: "whole sets" } },
            created_at: 0,
            started_at: 0,
            finished_at: 0,
        };
        expect(
            mlHeadline({ ...base, threshold: 0.9, prelabeled: 30, coverage: 1, last_round: round }),
        ).toBe(
            "Prelabeling 30 items (100% of the next items), from confidence 90.0% for an item's whole set of tags.",
        );
    });
});

describe("savingsText", () => {
    const figures = (
        answers: number,
        seconds: number | null,
        edits: number | null,
        accepted?: number,
    ): EffortFigures => ({
        answers,
        timed: seconds === null ? 0 : answers,
        seconds_per_item: seconds,
        edits_per_item: edits,
        ...(accepted === undefined ? {} : { accepted_unchanged: accepted }),
    });
    it("compares seconds and edits with and without the model's prelabel", () => {
        expect(savingsText(undefined)).toBeNull();
        const savings: MlSavings = {
            latest_answers: 20000,
            manual: figures(300, 4.2, 1.1),
            model: figures(0, null, null, 0),
            imported: figures(0, null, null),
        };
        expect(savingsText(savings)).toBeNull();
        savings.model = figures(200, 1.4, 0.1, 0.94);
        expect(savingsText(savings)).toBe(
            "Savings: 1.4 s, 0.1 edits an item with a prelabel, 4.2 s, 1.1 edits without " +
                "(66.7% less time); 94.0% of 200 prelabels accepted unchanged.",
        );
        savings.manual = figures(300, null, null);
        expect(savingsText(savings)).toBe(
            "Savings: not timed yet; 94.0% of 200 prelabels accepted unchanged.",
        );
        savings.manual = figures(300, 1, null);
        savings.model = figures(10, 12, null, 0);
        expect(savingsText(savings)).toBe(
            "Savings: 12 s an item with a prelabel, 1.0 s without (1100% more time); " +
                "0% of 10 prelabels accepted unchanged.",
        );
    });
});

describe("parsePrecisionPercent", () => {
    it("takes percentages between 50 and 99.9", () => {
        expect(parsePrecisionPercent("95")).toEqual({ ok: true, value: 0.95 });
        expect(parsePrecisionPercent(" 97.5% ")).toEqual({ ok: true, value: 0.975 });
        expect(parsePrecisionPercent("100").ok).toBe(false);
        expect(parsePrecisionPercent("40").ok).toBe(false);
        expect(parsePrecisionPercent("ninety").ok).toBe(false);
    });
});

describe("thresholdText", () => {
    it("shows enough digits to tell high thresholds apart, never rounding up", () => {
        expect(thresholdText(0.8712)).toBe("87.1%");
        expect(thresholdText(0.9951)).toBe("99.51%");
        expect(thresholdText(0.99996)).toBe("99.996%");
        expect(thresholdText(0.9)).toBe("90.0%");
    });
});
