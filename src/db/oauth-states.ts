// Pending web-flow logins: each `state` is stored (hashed) until its callback uses it once or it expires.
import type { Database } from "bun:sqlite";
import { sha256 } from "../auth/secrets.ts";
import { out, type Out, type Runner, runner, then } from "./sql.ts";

/** On SQLite (`Sync`) answers at once; on Postgres with promises (so a login started on one replica may end on another). */
export class OAuthStateStore<Sync extends boolean = true> {
  readonly #db: Runner<Sync>;

  constructor(db: Database | Runner<Sync>) {
    this.#db = runner(db);
  }

  /** `expiresAt` and `now` in epoch ms. */
  add(state: string, expiresAt: number, now: number): Out<Sync, void> {
    return out(then(this.#db.run("DELETE FROM oauth_states WHERE expires_at <= ?", [now]), () =>
      then(this.#db.run("INSERT INTO oauth_states (state_hash, expires_at) VALUES (?, ?)", [sha256(state), expiresAt]), () => undefined)));
  }

  /** True once for a state that was issued and has not expired; the state is gone afterwards. */
  consume(state: string, now: number): Out<Sync, boolean> {
    const deleted = this.#db.all<{ expires_at: number | string }>("DELETE FROM oauth_states WHERE state_hash = ? RETURNING expires_at", [sha256(state)]);
    return out(then(deleted, ([row]) => row !== undefined && Number(row.expires_at) > now));
  }
}
