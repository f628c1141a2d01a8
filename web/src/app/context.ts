// What every view receives from the shell.
import type { ApiClient } from "../client/api_client";
import type { User } from "../schema/api";
import type { Route } from "./router";

export interface AppContext {
    readonly client: ApiClient;
    readonly user: User;
    navigate(route: Route): void;
    logout(): void;
}

/** A mounted view; the shell calls it when leaving the route. */
export type Unmount = () => void;
