// GitHub users who logged in, so /auth/me can show name and email without putting them in the JWT.
import type { Database } from "bun:sqlite";

export interface User {
  /** GitHub's numeric id, as a string: the stable key (logins can change). */
  id: string;
  login: string;
  name: string | null;
  email: string | null;
}

export class UserStore {
  constructor(private readonly db: Database) {}

  save(user: User, now: number): void {
    this.db.query(
      `INSERT INTO users (id, login, name, email, last_login_at) VALUES ($id, $login, $name, $email, $now)
       ON CONFLICT (id) DO UPDATE SET login = $login, name = $name, email = $email, last_login_at = $now`,
    ).run({ ...user, now });
  }

  get(id: string): User | undefined {
    return this.db.query<User, { id: string }>("SELECT id, login, name, email FROM users WHERE id = $id").get({ id }) ?? undefined;
  }
}
