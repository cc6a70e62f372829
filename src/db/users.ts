// GitHub users who logged in, so /auth/me can show name and email without putting them in the JWT.
import type { Database } from "bun:sqlite";
import { out, type Out, type Runner, runner, then } from "./sql.ts";

export interface User {
  /** GitHub's numeric id, as a string: the stable key (logins can change). */
  id: string;
  login: string;
  name: string | null;
  email: string | null;
}

/** On SQLite (`Sync`) answers at once; on Postgres with promises. Read only by /auth/me, written at login. */
export class UserStore<Sync extends boolean = true> {
  readonly #db: Runner<Sync>;

  constructor(db: Database | Runner<Sync>) {
    this.#db = runner(db);
  }

  save(user: User, now: number): Out<Sync, void> {
    return out(then(this.#db.run(
      `INSERT INTO users (id, login, name, email, last_login_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET login = excluded.login, name = excluded.name, email = excluded.email, last_login_at = excluded.last_login_at`,
      [user.id, user.login, user.name, user.email, now],
    ), () => undefined));
  }

  get(id: string): Out<Sync, User | undefined> {
    return out(then(this.#db.all<User>("SELECT id, login, name, email FROM users WHERE id = ?", [id]), ([user]) => user));
  }
}
