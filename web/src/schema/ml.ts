// ML assist as the dashboard shows it (docs/design/ml.md): one line per stage from the round's
// figures, the threshold and coverage in words, and the settings form's input checks.
import type {
    EffortFigures,
    MlAssist,
    MlMetrics,
    MlSavings,
    MlStageName,
    MlStageView,
} from "./api";

export const kMlStageTitles: Record<MlStageName, string> = {
    featurization: "Featurization",
    training: "Training",
    validation: "Validation",
    inference: "Inference",
};

const pct = (x: number): string => `${(x * 100).toFixed(x >= 0.995 || x === 0 ? 0 : 1)}%`;
/** A confidence threshold as a percentage, with the digits that tell 99.9% from 99.99%. */
export function thresholdText(t: number): string {
    const digits = t >= 0.999 ? 3 : t >= 0.99 ? 2 : 1;
    // Floored (a shown threshold is never above the real one), past float noise such as 0.29.
    return `${(Math.floor(t * 10 ** (digits + 2) + 1e-6) / 10 ** digits).toFixed(digits)}%`;
}
const secs = (s: number | undefined): string =>
    s === undefined ? "" : s < 10 ? ` in ${s.toFixed(1)} s` : ` in ${Math.round(s)} s`;

type Figures<S extends MlStageName> = NonNullable<MlMetrics[S]>;

function featurizationLine(m: Figures<"featurization">): string {
    const failed = m.failed !== undefined && m.failed > 0 ? `, ${m.failed} unreadable` : "";
    if (m.feature_maps === true) {
        const size = m.map ? ` (${m.map[0]} × ${m.map[1]} cells)` : "";
        return `${m.embedded ?? 0} images mapped${size}${failed}${secs(m.seconds)}`;
    }
    return `${m.embedded ?? 0} images embedded, ${m.cached ?? 0} cached${failed}${secs(m.seconds)}`;
}

const kFeatureNames: Record<string, string> = {
    mobilenet_v2_140: "CNN (MobileNetV2)",
    "mobilenet_v2_140 map": "CNN (MobileNetV2) feature maps",
    handcrafted: "handcrafted",
};

/** Feature set names as the server writes them ("mobilenet_v2_140+handcrafted") in words. */
export function featuresText(features: string): string {
    return features
        .split("+")
        .map((name) => kFeatureNames[name] ?? name)
        .join(" + ");
}

function trainingLine(m: Figures<"training">): string {
    if (m.boxes !== undefined) {
        const features = m.features === undefined ? "" : ` on ${featuresText(m.features)}`;
        return `box detector${features}: ${m.labels ?? 0} images, ${m.boxes} boxes, ${m.classes ?? 0} classes${secs(m.seconds)}`;
    }
    const base = `${m.labels ?? 0} labels, ${m.classes ?? 0} classes`;
    const tried = m.feature_candidates?.length ?? 0;
    const features =
        m.features === undefined
            ? ""
            : `; features: ${featuresText(m.features)}${tried > 1 ? ` (best of ${tried} on held-out labels)` : ""}`;
    return `${base}${features}${secs(m.seconds)}`;
}

function validationLine(m: Figures<"validation">): string {
    const base =
        m.human_boxes !== undefined
            ? `recall ${pct(m.recall ?? 0)} of ${m.human_boxes} boxes on ${m.held_out ?? 0} held-out images (IoU ≥ 0.5)`
            : `accuracy ${pct(m.accuracy ?? 0)} on ${m.held_out ?? 0} held-out labels`;
    const judged =
        m.judged_for_window === undefined
            ? ""
            : `; judged on all ${m.judged_for_window} labels, weighted to stand for the items to prelabel (as many as ${Math.round(m.effective_for_window ?? 0)})`;
    return m.threshold !== undefined
        ? `${base}${judged}; thresholds per class from ${thresholdText(m.threshold)} (precision ${pct(m.precision ?? 0)}, at least ${pct(m.lower_bound ?? 0)})`
        : `${base}${judged}; ${m.why_none ?? "no threshold"}`;
}

/** What a stage did, in one line ("" when it has no figures yet). */
export function stageSummary(stage: MlStageView): string {
    const m = stage.metrics;
    if (m === undefined) {
        return "";
    }
    // The server files each stage's figures under the stage's name.
    switch (stage.name) {
        case "featurization":
            return featurizationLine(m as Figures<"featurization">);
        case "training":
            return trainingLine(m as Figures<"training">);
        case "validation":
            return validationLine(m as Figures<"validation">);
        case "inference": {
            const i = m as Figures<"inference">;
            const boxes = i.boxes === undefined ? "" : ` (${i.boxes} shapes)`;
            return `${i.prelabeled ?? 0} of the next ${i.window ?? 0} items prelabeled${boxes}${secs(i.seconds)}`;
        }
    }
}

/** The headline: what the model does now. */
export function mlHeadline(ml: MlAssist): string {
    if (!ml.supported) {
        return ml.unsupported_reason;
    }
    if (!ml.settings.enabled) {
        return "ML assist is off.";
    }
    if (ml.threshold === null) {
        return ml.rounds.some((r) => r.state === "done")
            ? "No prelabels yet: the last round found no confidence precise enough."
            : "No round has finished yet.";
    }
    const coverage = ml.coverage === null ? "" : ` (${pct(ml.coverage)} of the next items)`;
    const wholeSets = ml.last_round?.metrics.validation?.judged_as === "whole sets";
    const rule = wholeSets
        ? "for an item's whole set of tags"
        : "(each class has its own threshold)";
    return `Prelabeling ${ml.prelabeled ?? 0} items${coverage}, from confidence ${thresholdText(ml.threshold)} ${rule}.`;
}

export type PrecisionInput = { ok: true; value: number } | { ok: false; message: string };

/** The target precision as typed in percent ("95", "97.5") to the 0.5-0.999 the API takes. */
export function parsePrecisionPercent(text: string): PrecisionInput {
    const trimmed = text.trim().replace(/%$/, "");
    if (!/^\d+(\.\d+)?$/.test(trimmed)) {
        return { ok: false, message: "Enter the target precision as a percentage, e.g. 95." };
    }
    const value = Number(trimmed) / 100;
    if (value < 0.5 || value > 0.999) {
        return { ok: false, message: "The target precision must be between 50% and 99.9%." };
    }
    return { ok: true, value };
}

function seconds(value: number): string {
    return value < 10 ? `${value.toFixed(1)} s` : `${Math.round(value)} s`;
}

/**
 * The savings line: seconds and edits per item with the model's prelabel against without one,
 * and how many prelabels were accepted unchanged. Null until both kinds have timed answers.
 */
export function savingsText(savings: MlSavings | undefined): string | null {
    if (savings === undefined) {
        return null;
    }
    const { manual, model } = savings;
    if (model.answers === 0) {
        return null;
    }
    const accepted =
        model.accepted_unchanged === null || model.accepted_unchanged === undefined
            ? ""
            : `; ${pct(model.accepted_unchanged)} of ${model.answers} prelabels accepted unchanged`;
    if (manual.seconds_per_item === null || model.seconds_per_item === null) {
        return `Savings: not timed yet${accepted}.`;
    }
    const edits = (f: EffortFigures): string =>
        f.edits_per_item === null ? "" : `, ${f.edits_per_item.toFixed(1)} edits`;
    const saved = 1 - model.seconds_per_item / manual.seconds_per_item;
    const verdict = saved > 0 ? `${pct(saved)} less time` : `${pct(-saved)} more time`;
    return (
        `Savings: ${seconds(model.seconds_per_item)}${edits(model)} an item with a prelabel, ` +
        `${seconds(manual.seconds_per_item)}${edits(manual)} without (${verdict})${accepted}.`
    );
}
