// Types of the HTTP API v1 (docs/api.md). Kept by hand in step with the contract; the server's
// openapi.json is the machine-readable source.

export type Id = number;
/** Milliseconds since the Unix epoch. */
export type TimeMs = number;

export const kTaskTypes = ["multiclass", "multilabel", "bbox", "polygon", "semantic"] as const;
export type TaskType = (typeof kTaskTypes)[number];

export type ProjectStatus = "draft" | "running" | "paused";
export type Role = "owner" | "labeler";

export interface User {
    id: Id;
    username: string;
    role: Role;
}

export interface Session {
    csrf_token: string;
    user: User;
}

/** An API token as listed; the secret itself is only in the answer that created it. */
export interface ApiToken {
    id: Id;
    name: string;
    created_at: TimeMs;
    expires_at: TimeMs;
}

export interface CreatedApiToken extends ApiToken {
    token: string;
}

export interface LogoutEverywhereResult {
    sessions_ended: number;
    tokens_revoked: number;
}

/** Labels as given at creation: a tree of names. The API also accepts plain strings. */
export interface LabelSpec {
    name: string;
    children?: LabelSpec[];
}

/** One node of the label tree in display order, as the server computes it. */
export interface LabelEntry {
    path: string;
    name: string;
    depth: number;
    key?: number | null;
}

export interface Instructions {
    text: string;
    url: string;
}

export type ManifestFormat = "csv" | "jsonl" | "mltable";
export type ImportAs = "prelabel" | "final";

/** Which manifest column (CSV header) or key (JSONL; "a.b" for nested) holds what. */
export interface ManifestMapping {
    image: string;
    category?: string;
    confidence?: string;
}

/**
 * A local folder, an Azure Blob container (docs/design/azure_blob.md) or a manifest
 * (docs/formats/manifests.md). In answers a manifest project's `path` is the folder its items
 * are relative to and `pattern` the manifest within it; an Azure one's `credential` says which
 * credential is set (the credential itself is never sent back).
 */
export interface Datasource {
    /** Set by the server; `source=` of the item list takes it. */
    id?: Id;
    kind: "local" | "manifest" | "azure_blob" | "upload";
    path: string;
    pattern?: string;
    account_url?: string;
    container?: string;
    prefix?: string;
    /** Sent on creation only: exactly one of the two. */
    sas_token?: string;
    account_key?: string;
    /** The storage account of an account URL on a custom domain. */
    account_name?: string;
    credential?: "sas_token" | "account_key";
    format?: ManifestFormat;
    mapping?: ManifestMapping;
    import_as?: ImportAs;
    /**
     * Azure datastore name -> local folder or Azure Blob container, for azureml:// and
     * AmlDatastore:// references.
     */
    datastores?: Record<string, string | AzureBlobDatastore>;
}

/** A manifest datastore in Azure Blob Storage: the azure_blob datasource's fields. */
export interface AzureBlobDatastore {
    kind: "azure_blob";
    account_url: string;
    container: string;
    prefix?: string;
    /** The storage account of an account URL on a custom domain. */
    account_name?: string;
    /** Write-only, exactly one of the two: sealed by the server, never sent back. */
    sas_token?: string;
    account_key?: string;
}

/** POST /api/v1/datasources/manifest/preview: the wizard's column-mapping step. */
export interface ManifestPreview {
    path: string;
    files: string[];
    read_format: "csv" | "jsonl";
    columns: string[];
    rows: string[][];
    guess: { image: string; category: string; confidence: string };
}

/** Incremental refresh of a project's datasources (docs/design/datasources.md). */
export interface RefreshSettings {
    enabled: boolean;
    interval_s: number;
    /** When the last refresh finished; null before the first. */
    last_at: TimeMs | null;
}

export type RefreshChange = Partial<Pick<RefreshSettings, "enabled" | "interval_s">>;

/** ML assist's settings (docs/design/ml.md). */
export interface MlSettings {
    enabled: boolean;
    /** Prelabels must reach this precision on held-out human labels (0.5-0.999). */
    target_precision: number;
    /** The first round waits until every class has this many labels. */
    min_labels_per_class: number;
    /** A later round starts after this many new labels. */
    retrain_after_labels: number;
}
export type MlChange = Partial<MlSettings>;

export const kMlStages = ["featurization", "training", "validation", "inference"] as const;
export type MlStageName = (typeof kMlStages)[number];
export type MlStageStatus = "pending" | "running" | "done" | "failed" | "skipped";

/** A round's per-stage figures, as the server records them (all optional: a stage may not have
 * run, and older rounds may lack a figure). */
export interface MlMetrics {
    featurization?: {
        seconds?: number;
        items?: number;
        cached?: number;
        embedded?: number;
        failed?: number;
        first_failure?: string;
        images_per_second?: number;
        /** Detection rounds: feature maps (not stored) instead of embeddings. */
        feature_maps?: boolean;
        /** The first map's width, height and channels. */
        map?: [number, number, number] | null;
    };
    training?: {
        seconds?: number;
        labels?: number;
        classes?: number;
        folds?: number;
        /** Detection rounds: the human boxes trained on. */
        boxes?: number;
        /** The feature set validation chose: backbone names joined by "+". */
        features?: string;
        feature_candidates?: {
            features: string;
            labels: number;
            accuracy: number;
            covered: number;
            threshold: number | null;
        }[];
    };
    validation?: {
        held_out?: number;
        accuracy?: number;
        temperature?: number;
        target_precision?: number;
        covered?: number;
        precision?: number;
        lower_bound?: number;
        threshold?: number;
        /** "whole sets": multi-label, one threshold on an item's whole set of tags. */
        judged_as?: string;
        why_none?: string;
        /** Detection rounds: the human boxes of the held-out images, and the share of them
         * the detections at the thresholds found (IoU >= 0.5). */
        human_boxes?: number;
        recall?: number;
        /** Multi-class: the thresholds judged every human label (confirmed prelabels too),
         * weighted to stand for the items to prelabel; how many, and their effective number. */
        judged_for_window?: number;
        effective_for_window?: number;
    };
    inference?: {
        seconds?: number;
        window?: number;
        prelabeled?: number;
        coverage?: number;
        /** Detection rounds: the boxes (or polygons) prelabeled. */
        boxes?: number;
    };
}

export interface MlRound {
    id: Id;
    job_id: Id;
    state: JobState;
    stage: MlStageName;
    backbone: string;
    labels_used: number;
    threshold: number | null;
    prelabeled: number;
    message: string;
    metrics: MlMetrics;
    created_at: TimeMs;
    started_at: TimeMs;
    finished_at: TimeMs;
}

export interface MlStageView {
    name: MlStageName;
    status: MlStageStatus;
    metrics?: MlMetrics[MlStageName];
}

export interface MlAssist {
    supported: boolean;
    unsupported_reason: string;
    settings: MlSettings;
    human_labels: number;
    stages: MlStageView[];
    last_round: MlRound | null;
    threshold: number | null;
    coverage: number | null;
    prelabeled: number | null;
    next: { due: boolean; reason: string };
    rounds: MlRound[];
    /** Missing from servers before issue 10's savings. */
    savings?: MlSavings;
}

/** What answers cost, by what the labeler was shown first (GET /ml "savings"). */
export interface EffortFigures {
    answers: number;
    timed: number;
    seconds_per_item: number | null;
    edits_per_item: number | null;
    /** Share of answers equal to the prelabel shown; absent for manual answers. */
    accepted_unchanged?: number | null;
}

export interface MlSavings {
    latest_answers: number;
    manual: EffortFigures;
    model: EffortFigures;
    imported: EffortFigures;
}

/** What the UI measured for one answer (a submit's optional "effort"). */
export interface AnswerEffort {
    active_ms: number;
    edits: number;
}

/** A prelabel as `next` carries it: the model's (with its round) or an import's. */
export interface ItemPrelabel {
    labels?: string[];
    confidence: number | null;
    source: "model" | "import";
    round?: Id;
}

export const kProgressStates = [
    "unlabeled",
    "in_progress",
    "labeled",
    "skipped",
    "needs_review",
    "error",
    "missing",
] as const;
export type ProgressState = (typeof kProgressStates)[number];
export type Progress = Record<ProgressState, number> & { total: number };

export type JobState = "queued" | "running" | "done" | "failed";
export interface Job {
    id: Id;
    kind: string;
    state: JobState;
    progress_done: number;
    progress_total: number;
    error?: string | null;
    created_at: TimeMs;
    finished_at?: TimeMs | null;
    /** Import jobs (`kind: "import"`) only: the import's summary. */
    import?: ImportSummary;
}

/** One entry of a project's import history (a job of kind "import"). */
export interface ImportSummary {
    format: string;
    mode: ImportMode;
    file: string;
    user: string;
    matched: number;
    unmatched: number;
    errors: number;
    applied: boolean;
}

export interface Project {
    id: Id;
    name: string;
    task_type: TaskType;
    status: ProjectStatus;
    labels: (LabelSpec | string)[];
    label_list: LabelEntry[];
    instructions: Instructions;
    datasource: Datasource;
    refresh: RefreshSettings;
    /** Null when the server runs without ML assist. */
    ml_assist?: MlSettings | null;
    item_limit: number;
    item_limit_reached: boolean;
    created_at: TimeMs;
    progress: Progress;
    jobs: Job[];
}

export interface NewProject {
    name: string;
    task_type: TaskType;
    labels: LabelSpec[];
    instructions: Instructions;
    datasource: Datasource;
    item_limit?: number;
    refresh?: RefreshChange;
}

export interface Item {
    id: Id;
    name: string;
    width: number;
    height: number;
    /** "jpeg", "png", "tiff", "bmp" or "dicom" (absent in older answers and test fakes). */
    format?: string;
    image_url: string;
    thumbnail_url: string;
    /** GET …/items only. */
    path?: string;
    state?: ProgressState;
    /** `next` only: the item's prelabel, when it has one. */
    prelabel?: ItemPrelabel;
}

/** A page of GET /api/v1/projects/{id}/items (keyset: pass next_after as `after`). */
export interface ItemList {
    items: Item[];
    next_after: Id | null;
}

/** A DICOM window in rescaled units (e.g. HU). */
export interface DicomWindow {
    center: number;
    width: number;
}

/** GET /items/{item}/dicom (docs/api.md): no patient or study identifiers. */
export interface DicomMetadata {
    rows: number;
    columns: number;
    frames: number;
    samples_per_pixel: number;
    bits_allocated: number;
    bits_stored: number;
    signed: boolean;
    photometric: string;
    monochrome: boolean;
    transfer_syntax: { uid: string; name: string };
    modality: string;
    study_description: string;
    series_description: string;
    pixel_spacing: [number, number] | null;
    rescale: { slope: number; intercept: number; type: string };
    default_window: DicomWindow | null;
    window_source: "file" | "voi_lut" | "min_max" | "none";
}

/** Azure's three choices for the answers stored when a project's classes change. */
export type OnNewLabels = "restart_clear" | "restart_keep" | "continue";

/** PATCH /projects/{id}: fields left out stay as they are. */
export interface ProjectPatch {
    name?: string;
    instructions?: Partial<Instructions>;
    labels?: LabelSpec[];
    rename?: Record<string, string>;
    on_new_labels?: OnNewLabels;
}

/** An item as GET /projects/{id}/items lists it (the Data tab). */
export interface ListedItem extends Item {
    path: string;
    state: Exclude<ProgressState, "in_progress">;
    format: string;
    size_bytes: number;
    error: string;
}

/** One version of an annotation on an item's record (GET …/items/{item_id}). */
export interface AnnotationVersion {
    annotation_id: Id;
    source: "human" | "prelabel" | "consensus" | "import";
    /** Username; null for prelabels and imports. */
    author: string | null;
    stored_at: TimeMs;
    labels?: string[];
    shapes?: unknown[];
    confidence?: number;
    ml_round_id?: Id;
    /** Current answers only: the one that counts for exports and training. */
    counts?: boolean;
    /** Replaced versions only. */
    replaced_at?: TimeMs;
    replaced_by?: string | null;
    reason?: "edited" | "imported" | "restarted";
}

/** An item with its current answers and the replaced versions of them, oldest first. */
export interface ItemRecord {
    item: ListedItem;
    answers: AnnotationVersion[];
    history: AnnotationVersion[];
}

export interface ItemPage {
    items: ListedItem[];
    next_after: Id | null;
}

export type PageSize = 1 | 4 | 6 | 9;
export const kPageSizes: readonly PageSize[] = [1, 4, 6, 9];

export interface LeasedPage {
    lease: string;
    lease_expires_at: TimeMs;
    items: Item[];
    /** "prelabeled" when items carry prelabels to confirm or fix. */
    kind?: "manual" | "prelabeled" | "clustered";
}

export interface SubmitResult {
    outcome: "stored" | "updated" | "unchanged";
    item_id: Id;
    labels: string[];
}

export interface AnnotationView {
    item: Item;
    labels: string[];
    updated_at: TimeMs;
    /** Drawing projects only. */
    shapes?: unknown;
    /** "prelabel": a prelabel (ML assist's or an import's) shown for review; the caller has not answered yet. */
    source?: "human" | "prelabel";
    /** Prelabels only, when the import had confidences. */
    confidence?: number;
}

export interface LabelCount {
    label: string;
    count: number;
}

export interface LabelerCount {
    user_id: Id;
    username: string;
    count: number;
}

export interface Dashboard {
    progress: Progress;
    labels: LabelCount[];
    labelers: LabelerCount[];
    jobs: Job[];
}

export type ExportFormat =
    "csv" | "jsonl" | "mltable" | "coco" | "coco-azure" | "voc" | "yolo" | "masks";
export const kExportFormats: readonly ExportFormat[] = ["csv", "jsonl", "mltable"];

/** Export formats offered for drawing projects (masks only for semantic segmentation). */
export function exportFormatsFor(type: TaskType): readonly ExportFormat[] {
    if (isClassification(type)) {
        return kExportFormats;
    }
    return type === "semantic"
        ? ["coco", "masks"]
        : ["coco", "coco-azure", "jsonl", "mltable", "voc", "yolo"];
}

/**
 * `GET .../tiles/info` for images too large to send whole; level 0 is full resolution. While the
 * pyramid is being built (HTTP 202) `status` is "building" and `progress` says how far (0-1); the
 * other fields already describe the finished pyramid.
 */
export interface TileInfo {
    status: "ready" | "building";
    progress: number;
    width: number;
    height: number;
    tile_size: number;
    levels: number;
}

export type ErrorCodeName =
    | "invalid_argument"
    | "unauthenticated"
    | "permission_denied"
    | "not_found"
    | "conflict"
    | "lease_invalid"
    | "failed_precondition"
    | "payload_too_large"
    | "unsupported_media_type"
    | "precondition_failed"
    | "too_many_requests"
    | "unavailable"
    | "internal"
    /** Client-side only: the request never got an HTTP answer or the answer was not JSON. */
    | "network";

export interface ApiErrorBody {
    error: { code: ErrorCodeName; message: string; field?: string };
}

export function isClassification(type: TaskType): boolean {
    return type === "multiclass" || type === "multilabel";
}

export const kTaskTypeNames: Record<TaskType, string> = {
    multiclass: "Image classification (multi-class)",
    multilabel: "Image classification (multi-label)",
    bbox: "Object identification (bounding box)",
    polygon: "Instance segmentation (polygon)",
    semantic: "Semantic segmentation (preview)",
};

// Import (docs/api.md "Import", docs/formats/import.md)

export const kImportFormats = [
    "coco",
    "coco-azure",
    "jsonl",
    "mltable",
    "voc",
    "yolo",
    "labelme",
    "cvat",
    "masks",
    "coco-panoptic",
    "kaggle-csv",
    "kaggle-txt",
    "createml",
    "segment-anything",
    "csv",
    "label-studio",
    "datumaro",
] as const;
export type ImportFormat = (typeof kImportFormats)[number];
export type ImportMode = "prelabel" | "final";

export interface ImportReport {
    matched: number;
    unmatched: { row: number; name: string; reason: string }[];
    errors: { row: number; message: string }[];
    applied: boolean;
}

// Datasources: the create wizard's folder browser and dry run.

export interface FolderListing {
    roots: string[];
    /** The folder listed; "" when only the roots are. */
    path: string;
    parent: string | null;
    folders: { name: string; path: string }[];
    truncated: boolean;
}

export interface DatasourcePreview {
    path: string;
    count: number;
    /** Counting stopped: at least `count` images match. */
    capped: boolean;
    /** Counting stopped after the server's budget of files looked at: `count` is a lower bound. */
    scan_limited?: boolean;
    examples: string[];
}

export interface Draft {
    shapes: unknown;
    updated_at: TimeMs;
}
