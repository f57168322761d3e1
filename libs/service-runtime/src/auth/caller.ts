/** Who is calling, as the verified bearer token says. */
export interface Caller {
  /** The token's `sub`: the user or service account. What the audit trail records. */
  subject: string;
  /** The OAuth client that obtained the token (`azp`, `client_id`), if the token names one. */
  client?: string;
  scopes: ReadonlySet<string>;
  /** The plants the caller may touch (the `plants` claim); `*` is every plant. */
  plants: readonly string[];
}

/** Where the auth guard leaves the caller on the request. */
export interface RequestWithCaller {
  caller?: Caller;
}

export function mayTouchPlant(caller: Caller, plant: string): boolean {
  return caller.plants.includes('*') || caller.plants.includes(plant);
}
