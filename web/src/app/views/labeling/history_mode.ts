// "Back": pages through the user's own earlier answers (newest first) in the same grid, and
// saves changed answers without a lease.
import type { ApiError, ApiResult } from "../../../client/result";
import type { AnnotationView, Id, Project, TimeMs } from "../../../schema/api";
import { LabelingStore } from "../../../store/labeling_store";
import type { ClassificationType } from "../../../store/labeling_store";
import type { BatchOutcome, LabelingApi } from "./labeling_session";
import { LabelingSession } from "./labeling_session";

/** What history needs of ApiClient on top of labeling; tests pass a fake. */
export interface HistoryApi extends LabelingApi {
    history(
        id: Id,
        limit: number,
        before?: TimeMs,
    ): Promise<ApiResult<{ items: AnnotationView[] }>>;
}

export class HistoryMode {
    readonly store: LabelingStore;
    private readonly session_: LabelingSession;
    /** Oldest updated_at on each page shown so far; the next older page starts below the last. */
    private readonly cursors_: TimeMs[] = [];

    constructor(
        private readonly client: HistoryApi,
        private readonly project: Project,
        layout: LabelingStore["layout"],
    ) {
        this.store = new LabelingStore({
            taskType: project.task_type as ClassificationType,
            labels: project.label_list,
            layout,
        });
        this.session_ = new LabelingSession(client, project.id, this.store);
    }

    /** 1 for the most recent page of answers. */
    get page(): number {
        return this.cursors_.length;
    }

    hasChanges(): boolean {
        return this.store.submissions(true).length > 0;
    }

    /** Loads the next older page; resolves to false when there is nothing older. */
    async older(): Promise<ApiError | boolean> {
        const before = this.cursors_.at(-1);
        const r = await this.client.history(this.project.id, this.store.layout, before);
        if (!r.ok) {
            return r.error;
        }
        const entries = r.value.items;
        if (entries.length === 0) {
            return false;
        }
        const tags = new Map(entries.map((e) => [e.item.id, e.labels]));
        this.store.clear();
        this.store.add(
            entries.map((e) => e.item),
            "",
            (item) => tags.get(item.id) ?? [],
        );
        this.cursors_.push(Math.min(...entries.map((e) => e.updated_at)));
        return true;
    }

    save(): Promise<BatchOutcome> {
        return this.session_.submitPage(true);
    }
}
