// Errors as values: every client call resolves, never rejects.
import type { ErrorCodeName } from "../schema/api";

export interface ApiError {
    readonly status: number;
    readonly code: ErrorCodeName;
    readonly message: string;
    readonly field?: string;
}

export type ApiResult<T> =
    { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ApiError };

export function ok<T>(value: T): ApiResult<T> {
    return { ok: true, value };
}

export function fail<T>(error: ApiError): ApiResult<T> {
    return { ok: false, error };
}
