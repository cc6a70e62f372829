// `docker compose config` cannot run here (no Docker engine): docker-compose.yml's structure is checked
// instead. Redis, replicated gateways and a balancer on one port; healthchecks and restart policies on
// every service; the SQLite volume; and every variable the file names is a setting in .env.example.
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnvFile } from "../../src/cli/env-file.ts";

const root = join(import.meta.dir, "../..");
const text = readFileSync(join(root, "docker-compose.yml"), "utf8");

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  env_file?: string | string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
  restart?: string;
  healthcheck?: { test: string[] };
}
const compose = Bun.YAML.parse(text) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const { redis, gateway, balancer } = compose.services;
const example = parseEnvFile(readFileSync(join(root, ".env.example"), "utf8"));

describe("docker-compose.yml", () => {
  test("Redis, two or more gateway replicas, and one balancer port in front of them", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["balancer", "gateway", "redis"]);
    expect(redis.image).toStartWith("redis:");
    expect(gateway.build).toBe(".");
    expect(gateway.deploy?.replicas).toBeGreaterThanOrEqual(2);
    // Replicas publish no port of their own (two replicas cannot bind one host port); the balancer does.
    expect(gateway.ports).toBeUndefined();
    expect(balancer.ports).toHaveLength(1);
    const port = gateway.environment!.PORT;
    const conf = balancer.volumes!.map((v) => v.split(":")[0]).find((p) => p.endsWith(".conf"))!;
    expect(existsSync(join(root, conf))).toBe(true);
    expect(readFileSync(join(root, conf), "utf8")).toContain(`server gateway:${port}`);
  });

  test("the replicas use the compose Redis and one SQLite file on a named volume, with .env for the rest", () => {
    expect([gateway.env_file].flat()).toContain(".env");
    expect(gateway.environment!.REDIS_URL).toBe("redis://redis:6379");
    expect(gateway.depends_on?.redis.condition).toBe("service_healthy");
    expect(balancer.depends_on?.gateway.condition).toBe("service_healthy");
    const dbDir = gateway.environment!.DATABASE_PATH.replace(/\/[^/]+$/, "");
    const [volume, mountedAt] = gateway.volumes![0].split(":");
    expect(mountedAt).toBe(dbDir);
    expect(Object.keys(compose.volumes)).toContain(volume);
  });

  test("every service has a healthcheck and restarts unless stopped; the gateway checks itself with its binary", () => {
    for (const [name, service] of Object.entries(compose.services)) {
      expect({ name, restart: service.restart }).toEqual({ name, restart: "unless-stopped" });
      expect(service.healthcheck?.test[0]).toBe("CMD");
      expect(service.healthcheck!.test.length).toBeGreaterThan(1);
    }
    // The image has no shell or curl: the check is the binary's `healthcheck` subcommand, at the path the Dockerfile installs.
    const entrypoint = /^ENTRYPOINT \["([^"]+)"\]/m.exec(readFileSync(join(root, "Dockerfile"), "utf8"))![1];
    expect(gateway.healthcheck!.test.slice(1)).toEqual([entrypoint, "healthcheck"]);
  });

  test("every variable it names is a setting in .env.example", () => {
    const interpolated = [...text.matchAll(/\$\{(\w+)(?::?-[^}]*)?\}/g)].map((m) => m[1]);
    const named = [...interpolated, ...Object.keys(gateway.environment ?? {})];
    expect(named.length).toBeGreaterThan(0);
    for (const name of named) expect({ name, inExample: name in example }).toEqual({ name, inExample: true });
  });
});
