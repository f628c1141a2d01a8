// Incremental refresh settings as the dashboard shows and edits them (docs/design/datasources.md).
import type { RefreshSettings, TimeMs } from "./api";

/** The server refuses intervals under a minute or over a year. */
export const kMinIntervalS = 60;
export const kMaxIntervalS = 365 * 24 * 3600;

export type IntervalInput = { ok: true; seconds: number } | { ok: false; message: string };

/** Minutes as typed (whole numbers) to the interval the API takes, with a message when wrong. */
export function parseIntervalMinutes(text: string): IntervalInput {
    const trimmed = text.trim();
    if (!/^\d+$/.test(trimmed)) {
        return { ok: false, message: "Enter the interval as a whole number of minutes." };
    }
    const seconds = Number(trimmed) * 60;
    if (seconds < kMinIntervalS) {
        return { ok: false, message: "The interval must be at least 1 minute." };
    }
    if (seconds > kMaxIntervalS) {
        return { ok: false, message: "The interval can be at most one year (525,600 minutes)." };
    }
    return { ok: true, seconds };
}

/** "every 2 h", "every 90 min", "every 1 h 30 min". */
export function intervalText(seconds: number): string {
    const minutes = Math.round(seconds / 60);
    const hours = Math.floor(minutes / 60);
    const rest = minutes % 60;
    if (hours === 0) {
        return `every ${minutes} min`;
    }
    return rest === 0 ? `every ${hours} h` : `every ${hours} h ${rest} min`;
}

/** One line for the dashboard: whether refresh is on, how often, and when it last ran. */
export function refreshSummary(r: RefreshSettings, formatTime: (t: TimeMs) => string): string {
    const state = r.enabled ? `Refresh is on, ${intervalText(r.interval_s)}.` : "Refresh is off.";
    const last = r.last_at === null ? "Never refreshed." : `Last refresh: ${formatTime(r.last_at)}.`;
    return `${state} ${last}`;
}
