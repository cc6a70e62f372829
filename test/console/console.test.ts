// The admin console in a real browser (Debian's Chromium through playwright-core) against the real
// gateway, a fake OpenRouter and a fake GitHub. One browser for the file, a fresh context (so a fresh
// sessionStorage) per test. Every test checks that the page asked nothing of any other origin and
// logged no console error, and saves a screenshot of what it looked at under test/artifacts/.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { startFakeGitHub, OCTOCAT, type FakeGitHub } from "../fakes/github.ts";
import { startFakeOpenRouter, type FakeOpenRouter } from "../fakes/openrouter.ts";
import { ADMIN_TOKEN, loginDevice, startAuthGateway, startWebLogin } from "../auth/setup.ts";
import type { Gateway } from "../helpers.ts";
import { chromiumArgs, chromiumPath } from "../support/services.ts";
import { KEY_PREFIX } from "../../src/db/api-keys.ts";

const ARTIFACTS = join(import.meta.dir, "..", "artifacts");
mkdirSync(ARTIFACTS, { recursive: true });

// A scenario takes a few seconds; the margin is for a loaded machine.
setDefaultTimeout(30_000);

let browser: Browser;
let github: FakeGitHub;
let openrouter: FakeOpenRouter;
let gw: Gateway;
/** Moves the gateway's clock (the time its usage rows carry) by this many ms. */
let moveClock: (ms: number) => void;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs });
  openrouter = await startFakeOpenRouter();
  github = await startFakeGitHub();
  // GitHub asks for 5 s between polls; the fake asks for 1 so the device-flow test takes about a second.
  github.deviceInterval = 1;
  ({ gw, advance: moveClock } = await startAuthGateway(github, {
    openrouter: { apiKey: openrouter.apiKey, baseUrl: openrouter.baseUrl },
    cache: { ttlMs: 60_000 },
    auth: { requireAuth: true },
  }));
  await earlierTraffic();
}, 30_000);

/**
 * An hour of traffic before the tests', so the dashboard's charts have a shape: the gateway's clock (the
 * time its usage rows carry) starts an hour back and only moves forward, as the rate limiter expects.
 */
async function earlierTraffic(): Promise<void> {
  const MINUTE = 60_000;
  moveClock(-60 * MINUTE);
  let ago = 60;
  const token = await deviceToken();
  for (const [minutesAgo, count, model] of [[55, 2, "gpt-4o"], [47, 4, "gpt-4o-mini"], [38, 3, "gemma-2-9b"], [29, 6, "gpt-4o-mini"], [21, 3, "gpt-4o"], [12, 5, "gpt-4o-mini"], [5, 2, "gemma-2-9b"]] as const) {
    moveClock((ago - minutesAgo) * MINUTE);
    ago = minutesAgo;
    for (let i = 0; i < count; i++) expect((await chat(model, token, `earlier ${minutesAgo} ${i}`)).status).toBe(200);
  }
  moveClock(ago * MINUTE);
}

afterAll(async () => {
  await browser?.close();
  await gw?.stop();
  await github?.stop();
  await openrouter?.stop();
});

interface Opened {
  page: Page;
  /**
   * Asserts nothing left the origin and the console stayed clean, then closes the context. Chromium
   * logs every HTTP error answer as a console error; `expected` names the statuses a test provokes on
   * purpose (a wrong token, the device flow's "authorization pending"), which are then the only ones allowed.
   */
  done(expected?: number[]): Promise<void>;
}

/** A fresh browser context on the console, recording every request and console error. */
async function open(hash = "", { width = 1280, height = 900, colorScheme = "light" as "light" | "dark", on = gw } = {}): Promise<Opened> {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme });
  // Generous for a loaded machine: a passing step takes milliseconds.
  context.setDefaultTimeout(10_000);
  const origin = new URL(on.url).origin;
  const foreign: string[] = [];
  const errors: string[] = [];
  // Anything for another origin is recorded and refused, so a stray fetch fails the test instead of leaking.
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) return route.continue();
    foreign.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  inFlight.set(page, 0);
  page.on("request", () => inFlight.set(page, inFlight.get(page)! + 1));
  const finished = () => inFlight.set(page, inFlight.get(page)! - 1);
  page.on("requestfinished", finished);
  page.on("requestfailed", finished);
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${on.url}/admin${hash}`);
  return {
    page,
    async done(expected = []) {
      // Whatever the page still loads can fail too: let it finish first.
      await settled(page);
      await context.close();
      expect(foreign).toEqual([]);
      const provoked = (m: string) => expected.some((status) => m.startsWith(`Failed to load resource: the server responded with a status of ${status} `));
      expect(errors.filter((m) => !provoked(m))).toEqual([]);
    },
  };
}

async function signInWithToken(page: Page): Promise<void> {
  await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("who").waitFor();
}

/** Requests each page has under way. */
const inFlight = new WeakMap<Page, number>();

/**
 * Waits until the page has had no request under way for 300 ms (at most 5 s). Playwright's "networkidle"
 * is reached once per document, so it says nothing after the console switches sections in place.
 */
async function settled(page: Page): Promise<void> {
  const end = Date.now() + 5000;
  let quietSince = Date.now();
  while (Date.now() < end) {
    if (inFlight.get(page)) quietSince = Date.now();
    else if (Date.now() - quietSince >= 300) return;
    await Bun.sleep(25);
  }
}

const shot = async (page: Page, name: string) => {
  await settled(page);
  await page.screenshot({ path: join(ARTIFACTS, `console-${name}.png`), fullPage: true });
};
const text = async (page: Page, testId: string) => (await page.getByTestId(testId).textContent())?.trim();

const chat = (model: string, bearer: string, content = "hello") =>
  fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${bearer}` },
    body: JSON.stringify({ model, messages: [{ role: "user", content }] }),
  });

describe("signing in", () => {
  test("with the admin token: the console says who is signed in, and logging out returns to the form", async () => {
    const { page, done } = await open("#/settings");
    await shot(page, "sign-in");
    // A wrong token is refused next to the field, and nothing is kept.
    await page.getByLabel("Admin token").fill("not-the-admin-token-0123456789abcdef");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").filter({ hasText: "Incorrect API key provided" }).waitFor();
    // By keyboard alone: the field, Enter to sign in, Tab along the sections, Enter to open one.
    await page.getByLabel("Admin token").fill("");
    await page.getByLabel("Admin token").focus();
    await page.keyboard.type(ADMIN_TOKEN);
    await page.keyboard.press("Enter");
    await page.getByTestId("who").waitFor();
    expect(await text(page, "who")).toBe("admin token");
    const nav = page.getByRole("navigation", { name: "Sections" });
    for (const name of ["Dashboard", "Requests", "Usage", "Keys", "Models", "Providers", "Sessions", "Settings"]) {
      expect(await nav.getByRole("link", { name, exact: true }).count()).toBe(1);
    }
    await nav.getByRole("link", { name: "Models" }).focus();
    for (let i = 0; i < 10 && (await page.evaluate(() => document.activeElement?.textContent)) !== "Sessions"; i++) await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Sessions", level: 1 }).waitFor();
    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByLabel("Admin token").waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await done([401]);
  });

  test("GitHub configured: both GitHub logins are offered", async () => {
    const { page, done } = await open();
    await page.getByRole("link", { name: "Log in with GitHub", exact: true }).waitFor();
    await page.getByRole("button", { name: "Log in with GitHub device flow" }).waitFor();
    expect(await page.getByTestId("github-hint").count()).toBe(0);
    await done();
  });

  test("GitHub not configured: no GitHub login is offered, a hint says what to set, and the admin token still signs in", async () => {
    const { gw: bare } = await startAuthGateway(github, { github: { clientId: undefined, clientSecret: undefined } });
    try {
      const { page, done } = await open("", { on: bare });
      const hint = page.getByTestId("github-hint");
      await hint.waitFor();
      expect(await hint.innerText()).toContain("GitHub login is not set up on this gateway. To offer it, set GITHUB_CLIENT_ID (device flow) and GITHUB_CLIENT_SECRET");
      expect(await page.getByRole("link", { name: /GitHub/ }).count()).toBe(0);
      expect(await page.getByRole("button", { name: /GitHub/ }).count()).toBe(0);
      await shot(page, "sign-in-without-github");
      await signInWithToken(page);
      expect(await text(page, "who")).toBe("admin token");
      await done();
    } finally {
      await bare.stop();
    }
  });

  test("GitHub client id only: the device flow is offered, the browser login is not", async () => {
    const { gw: deviceOnly } = await startAuthGateway(github, { github: { clientSecret: undefined } });
    try {
      const { page, done } = await open("", { on: deviceOnly });
      await page.getByRole("button", { name: "Log in with GitHub device flow" }).waitFor();
      expect(await page.getByRole("link", { name: "Log in with GitHub", exact: true }).count()).toBe(0);
      expect(await page.getByTestId("github-hint").count()).toBe(0);
      await done();
    } finally {
      await deviceOnly.stop();
    }
  });

  test("with the GitHub device flow: the code and GitHub's link are shown, and approval signs the user in", async () => {
    github.deviceUser = OCTOCAT;
    github.deviceSteps = ["authorization_pending", "token"];
    const { page, done } = await open("#/settings");
    await page.getByRole("button", { name: "Log in with GitHub device flow" }).click();
    const code = await page.getByTestId("user-code").textContent();
    expect(code).toMatch(/^[0-9A-F]{4}-[0-9A-F]{4}$/);
    const link = page.getByRole("link", { name: `${github.baseUrl}/login/device` });
    expect(await link.getAttribute("href")).toBe(`${github.baseUrl}/login/device`);
    await shot(page, "device-flow");
    // Pending once, then approved: two polls a second apart.
    await page.getByTestId("who").waitFor();
    expect(await text(page, "who")).toBe("octocat");
    expect(github.requests.filter((r) => r.path === "/login/oauth/access_token").length).toBeGreaterThanOrEqual(2);
    await done([428]);
  });

  test("with the GitHub web flow: the link starts it and the callback page hands the login to the console", async () => {
    const { page, done } = await open("#/settings");
    expect(await page.getByRole("link", { name: "Log in with GitHub", exact: true }).getAttribute("href")).toBe("/auth/github");
    // The trip to GitHub itself is another origin: it is made outside the page, then the browser follows the callback.
    const { callback, cookie } = await startWebLogin(gw, github, OCTOCAT);
    const [name, value] = cookie.split("=");
    await page.context().addCookies([{ name, value, url: gw.url }]);
    await page.goto(callback);
    await page.getByTestId("who").waitFor();
    expect(await text(page, "who")).toBe("octocat");
    expect(new URL(page.url()).pathname).toBe("/admin");
    await done();
  });
});

test("inside another page's frame the console refuses to run", async () => {
  const { page, done } = await open();
  // A page of no origin of ours (about:blank) that frames the console.
  const outer = await page.context().newPage();
  await outer.setContent(`<iframe src="${gw.url}/admin"></iframe>`);
  const frame = outer.frameLocator("iframe");
  await frame.getByText("The console does not run inside a frame").waitFor();
  expect(await frame.getByLabel("Admin token").count()).toBe(0);
  await done();
});

describe("admin actions", () => {
  test("keys: create one with a budget (shown once), use it up, raise the budget, revoke it after confirming", async () => {
    const { page, done } = await open("#/keys");
    await signInWithToken(page);
    const create = page.getByRole("form", { name: "Create a key" });
    await create.getByLabel("Name").fill("console-test");
    await create.getByLabel("Requests per minute").fill("30");
    await create.getByLabel("Requests per day").fill("2");
    await create.getByRole("button", { name: "Create", exact: true }).click();
    const key = (await text(page, "new-key"))!;
    expect(key).toStartWith(KEY_PREFIX);
    const row = page.getByRole("row").filter({ has: page.getByRole("cell", { name: "console-test", exact: true }) });
    await row.getByText("0 / 2 requests per day").waitFor();

    // The key works against the API (REQUIRE_AUTH is on) up to its budget ...
    expect((await chat("gpt-4o-mini", key, "budget 1")).status).toBe(200);
    expect((await chat("gpt-4o-mini", key, "budget 2")).status).toBe(200);
    expect((await chat("gpt-4o-mini", key, "budget 3")).status).toBe(429);
    // ... the console shows it used up, and a larger budget lets it through again.
    await row.getByRole("button", { name: "Edit console-test" }).click();
    const limits = page.getByRole("form", { name: "Limits of console-test" });
    expect(await limits.getByLabel("Requests per day").inputValue()).toBe("2");
    await limits.getByLabel("Requests per day").fill("5");
    await limits.getByRole("button", { name: "Save" }).click();
    await row.getByText("2 / 5 requests per day").waitFor();
    await shot(page, "keys");
    expect((await chat("gpt-4o-mini", key, "budget 4")).status).toBe(200);
    // ... until it is revoked: the first click asks, the second revokes.
    await page.getByRole("button", { name: "Revoke console-test" }).click();
    await page.getByRole("button", { name: "Confirm" }).click();
    await page.getByRole("cell", { name: "console-test", exact: true }).waitFor({ state: "detached" });
    expect((await chat("gpt-4o-mini", key)).status).toBe(401);
    await done();
  });

  test("models: add a mapping, see it routed to its model, remove it", async () => {
    const { page, done } = await open("#/models");
    await signInWithToken(page);
    await page.getByLabel("Alias").fill("console-alias");
    await page.getByLabel("Provider").selectOption("openrouter");
    await page.getByLabel("Model", { exact: true }).fill("qwen/qwen3-coder:free");
    await page.getByRole("button", { name: "Add", exact: true }).click();
    const row = page.getByRole("row").filter({ hasText: "console-alias" });
    await row.getByText("qwen/qwen3-coder:free").waitFor();
    await shot(page, "models");

    const res = await gw.client.chat.completions.create({ model: "console-alias", messages: [{ role: "user", content: "route me" }] }, {
      headers: { authorization: `Bearer ${await deviceToken()}` },
    });
    expect(res.choices[0].message.content).toBeTruthy();
    expect(openrouter.requests.findLast((r) => r.path.endsWith("/chat/completions"))?.body?.model).toBe("qwen/qwen3-coder:free");

    await row.getByRole("button", { name: "Remove mapping console-alias" }).click();
    await row.waitFor({ state: "detached" });
    await done();
  });

  test("providers: test a connection, add and remove a custom provider, switch the emulation profile", async () => {
    const { page, done } = await open("#/providers");
    await signInWithToken(page);
    await page.getByRole("button", { name: "Test openrouter" }).click();
    await page.getByRole("status").filter({ hasText: `${openrouter.models.length} models` }).waitFor();

    // An API error shows next to the form that caused it: built-in names are taken.
    await page.getByLabel("Name").fill("gemini");
    await page.getByLabel("Base URL").fill(openrouter.baseUrl);
    await page.getByLabel("Models").fill("local-model");
    await page.getByRole("button", { name: "Add provider" }).click();
    await page.getByRole("form", { name: "Add a custom provider" }).getByRole("alert").waitFor();

    await page.getByLabel("Name").fill("local-llm");
    await page.getByRole("button", { name: "Add provider" }).click();
    await page.getByRole("button", { name: "Remove local-llm" }).waitFor();

    await page.getByLabel("Profile", { exact: true }).selectOption("gemini");
    await page.getByRole("button", { name: "Switch" }).click();
    await page.getByTestId("profile").filter({ hasText: "gemini" }).waitFor();
    const emulation = await (await fetch(`${gw.url}/config`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json() as { models: { emulationProfile: string } };
    expect(emulation.models.emulationProfile).toBe("gemini");
    await shot(page, "providers");

    await page.getByLabel("Profile", { exact: true }).selectOption("openrouter");
    await page.getByRole("button", { name: "Switch" }).click();
    await page.getByTestId("profile").filter({ hasText: "openrouter" }).waitFor();
    await page.getByRole("button", { name: "Remove local-llm" }).click();
    await page.getByRole("button", { name: "Remove local-llm" }).waitFor({ state: "detached" });
    await done([409]);
  });

  test("settings: the configuration reads as labelled values, and the button clears the response cache", async () => {
    const token = await deviceToken();
    const before = () => openrouter.requests.filter((r) => r.path.endsWith("/chat/completions")).length;
    expect((await chat("gpt-4o-mini", token, "cache me")).status).toBe(200);
    const sent = before();
    expect((await chat("gpt-4o-mini", token, "cache me")).status).toBe(200);
    expect(before()).toBe(sent); // answered from the cache

    const { page, done } = await open("#/settings");
    await signInWithToken(page);
    await page.getByRole("heading", { name: "Authentication" }).waitFor();
    await page.getByText("Admin token set", { exact: true }).waitFor();
    expect(await page.content()).not.toContain(ADMIN_TOKEN);
    await page.getByRole("button", { name: "Clear the response cache" }).click();
    await page.getByText("Cache cleared.").waitFor();
    await shot(page, "settings");
    expect((await chat("gpt-4o-mini", token, "cache me")).status).toBe(200);
    expect(before()).toBe(sent + 1); // the cache is empty: upstream again
    await done();
  });

  test("sessions: counts, the list, one session's details, delete", async () => {
    const res = await chat("gpt-4o-mini", await deviceToken(), "a session");
    const id = res.headers.get("x-session-id")!;
    const { page, done } = await open("#/sessions");
    await signInWithToken(page);
    await page.getByRole("button", { name: `Inspect ${id}` }).click();
    await page.getByRole("complementary", { name: "Session details" }).getByText(id).waitFor();
    await shot(page, "sessions");
    await page.getByRole("button", { name: `Delete ${id}` }).click();
    await page.getByRole("button", { name: `Delete ${id}` }).waitFor({ state: "detached" });
    expect((await fetch(`${gw.url}/session/${id}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(404);
    await done();
  });
});

describe("monitoring", () => {
  test("the dashboard shows the traffic just sent: the count, the charts, the providers and the top models", async () => {
    const token = await deviceToken();
    const { page, done } = await open("#/dashboard");
    await signInWithToken(page);
    await page.getByTestId("total-requests").filter({ hasText: /\d/ }).waitFor();
    const before = Number((await text(page, "total-requests"))!.replace(/,/g, ""));
    for (let i = 0; i < 3; i++) expect((await chat("gpt-4o-mini", token, `dashboard ${i}`)).status).toBe(200);
    openrouter.script("*", { kind: "error", status: 400, body: { error: { code: 400, message: "bad request upstream" } } });
    expect((await chat("gpt-4o", token, "dashboard error")).status).toBe(400);
    // It refreshes itself: the four requests appear without a reload. (Earlier tests' rows may still be
    // on their way to the ledger, so the count is compared with what the usage API says.)
    const shown = async () => Number((await text(page, "total-requests"))!.replace(/,/g, ""));
    const recorded = async () => {
      const from = new Date(Date.now() - 3_600_000).toISOString();
      const res = await fetch(`${gw.url}/v1/usage?group_by=model&from=${from}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      return ((await res.json()) as { data: Array<{ requests: number }> }).data.reduce((n, g) => n + g.requests, 0);
    };
    const deadline = Date.now() + 10_000;
    while (!((await shown()) >= before + 4 && (await shown()) === (await recorded())) && Date.now() < deadline) await Bun.sleep(200);
    expect(await shown()).toBeGreaterThanOrEqual(before + 4);
    expect(await shown()).toBe(await recorded());
    for (const chart of ["Requests per minute", "Error rate", "Latency p50 / p95", "Tokens per minute"]) {
      await page.getByRole("img", { name: new RegExp(`^${chart} chart`) }).waitFor();
    }
    await page.getByRole("article", { name: "Provider openrouter" }).getByText("ok").first().waitFor();
    await page.locator(".alias", { hasText: "gpt-4o-mini" }).getByText("→ openrouter/").waitFor();
    await page.locator(".card", { hasText: "Top models by tokens" }).getByRole("cell", { name: "gpt-4o-mini", exact: true }).waitFor();
    await shot(page, "dashboard");
    // Another window: the count for 24 hours, from hourly totals.
    await page.getByRole("button", { name: "24 hours" }).click();
    await page.getByText("24 hours", { exact: true }).and(page.locator(".tile .muted")).waitFor();
    expect(await shown()).toBe(await recorded());
    await done();
  });

  test("requests: the log, filtered by model and status, a row opens its details (no prompt text)", async () => {
    const token = await deviceToken();
    expect((await chat("gemma-2-9b", token, "secret prompt text")).status).toBe(200);
    const { page, done } = await open("#/requests");
    await signInWithToken(page);
    await page.getByRole("cell", { name: "gemma-2-9b", exact: true }).first().waitFor();
    await page.getByLabel("Model").fill("gemma-2-9b");
    await page.getByLabel("Status").fill("200");
    await page.getByRole("button", { name: "Filter" }).click();
    await settled(page);
    const models = await page.locator("table.requests tbody td:nth-child(2)").allTextContents();
    expect(models.length).toBeGreaterThan(0);
    expect(new Set(models)).toEqual(new Set(["gemma-2-9b"]));
    await page.locator("table.requests tbody tr").first().getByRole("button").click();
    const details = page.getByRole("complementary", { name: "Request details" });
    await details.getByText("/v1/chat/completions").waitFor();
    expect(await details.textContent()).toContain("google/gemma-2-9b-it:free");
    expect(await page.content()).not.toContain("secret prompt text");
    await shot(page, "requests");
    await done();
  });

  test("usage: totals by key and by day, a chart, and the CSV download", async () => {
    expect((await chat("gpt-4o-mini", await deviceToken(), "usage")).status).toBe(200);
    const { page, done } = await open("#/usage");
    await signInWithToken(page);
    await page.getByRole("cell", { name: "gpt-4o-mini", exact: true }).waitFor();
    await page.getByLabel("Group by").selectOption("day");
    const today = new Date().toISOString().slice(0, 10);
    await page.getByRole("cell", { name: today, exact: true }).waitFor();
    await page.getByRole("img", { name: /^Tokens by day chart/ }).waitFor();
    await shot(page, "usage");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download CSV" }).click()]);
    expect(download.suggestedFilename()).toBe("usage-by-day.csv");
    const csv = await Bun.file((await download.path())!).text();
    expect(csv.split(/\r?\n/)[0]).toBe("group,requests,errors,prompt_tokens,completion_tokens,total_tokens,cache_hits,latency_ms_p50,latency_ms_p95,cost_usd");
    expect(csv).toContain(today);
    await done();
  });

  test("a signed-in user who is not an admin sees their own usage only, and is told so", async () => {
    const mona = { id: 7, login: "mona", name: "Mona", email: "mona@example.com" };
    const token = await loginDevice(gw, github, mona);
    expect((await chat("gpt-4o-mini", token, "mona's request")).status).toBe(200);
    github.deviceUser = mona;
    github.deviceSteps = ["token"];
    const { page, done } = await open("#/requests");
    await page.getByRole("button", { name: "Log in with GitHub device flow" }).click();
    await page.getByTestId("who").waitFor();
    expect(await text(page, "who")).toBe("mona");
    await page.getByText("mona is not an admin of this gateway").waitFor();
    const nav = page.getByRole("navigation", { name: "Sections" });
    expect(await nav.getByRole("link").allTextContents()).toEqual(["Dashboard", "Requests", "Usage", "Keys"]);
    // Only mona's own row: one request.
    await page.getByRole("cell", { name: "gpt-4o-mini", exact: true }).waitFor();
    expect(await page.locator("table.requests tbody tr").count()).toBe(1);
    await nav.getByRole("link", { name: "Keys" }).click();
    await page.getByText("created and managed by the gateway's admins").waitFor();
    await done();
  });

  test("a signed-in user who is not an admin sees usage totals of their own requests only", async () => {
    const hubot = { id: 8, login: "hubot", name: "Hubot", email: null };
    const token = await loginDevice(gw, github, hubot);
    // Another caller's traffic on the same models in the same window: an API key an admin created.
    const created = await fetch(`${gw.url}/config/keys`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "someone-else" }),
    });
    const other = ((await created.json()) as { key: string }).key;
    for (const [bearer, model, n] of [[token, "gpt-4o-mini", 2], [token, "gemma-2-9b", 1], [other, "gpt-4o-mini", 3], [other, "gemma-2-9b", 2]] as const) {
      for (let i = 0; i < n; i++) expect((await chat(model, bearer, `own usage ${bearer.slice(-6)} ${model} ${i}`)).status).toBe(200);
    }
    // The ledger writes in batches: wait until every one of those rows is readable.
    const requestsBy = async (bearer: string) => {
      const res = await fetch(`${gw.url}/v1/usage?group_by=day&from=${new Date(Date.now() - 86_400_000).toISOString()}`, { headers: { authorization: `Bearer ${bearer}` } });
      return ((await res.json()) as { data: Array<{ requests: number }> }).data.reduce((sum, g) => sum + g.requests, 0);
    };
    const deadline = Date.now() + 10_000;
    while (((await requestsBy(token)) < 3 || (await requestsBy(other)) < 5) && Date.now() < deadline) await Bun.sleep(100);
    expect(await requestsBy(token)).toBe(3);
    expect(await requestsBy(ADMIN_TOKEN)).toBeGreaterThanOrEqual(8);

    const { page, done } = await open("#/usage");
    await page.evaluate((t) => sessionStorage.setItem("gateway_token", t), token);
    await page.reload();
    expect(await text(page, "who")).toBe("hubot");
    await page.getByRole("heading", { name: "Usage", level: 1 }).waitFor();
    const cells = async () => {
      await settled(page);
      return page.locator("table tbody tr").evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll("td")].slice(0, 2).map((c) => c.textContent!.trim())));
    };
    // By model: hubot's two models with hubot's counts, not the other key's.
    await page.getByRole("cell", { name: "gemma-2-9b", exact: true }).waitFor();
    expect((await cells()).sort()).toEqual([["gemma-2-9b", "1"], ["gpt-4o-mini", "2"]]);
    // By day: today's total is hubot's three requests.
    await page.getByLabel("Group by").selectOption("day");
    const today = new Date().toISOString().slice(0, 10);
    await page.getByRole("cell", { name: today, exact: true }).waitFor();
    expect(await cells()).toEqual([[today, "3"]]);
    await shot(page, "usage-not-admin");
    await done();
  });
});

test("360 px wide: every section fits without horizontal scrolling, in the dark scheme too", async () => {
  // A key with a budget, so the Keys table has a full row to fit.
  await fetch(`${gw.url}/config/keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "phone-key-with-a-long-name", rateLimit: 60, budget: { requests_per_day: 100, tokens_per_month: 1_000_000 } }),
  });
  const { page, done } = await open("#/keys", { width: 360, height: 780, colorScheme: "dark" });
  await signInWithToken(page);
  for (const section of ["Dashboard", "Requests", "Usage", "Keys", "Models", "Providers", "Sessions", "Settings"]) {
    await page.getByRole("link", { name: section, exact: true }).click();
    await page.getByRole("heading", { name: section, level: 1 }).waitFor();
    await settled(page);
    // Neither the page nor any box in it (a table, a chart) is wider than the screen.
    const overflow = await page.evaluate(() => [document.documentElement, ...document.querySelectorAll(".table-wrap, .chart, .card")]
      .map((el) => el.scrollWidth - el.clientWidth).reduce((a, b) => Math.max(a, b), 0));
    expect({ section, overflow }).toEqual({ section, overflow: 0 });
    await shot(page, `360-${section.toLowerCase()}`);
  }
  await done();
});

let cachedToken: string | undefined;
/** A gateway JWT for octocat (an admin), for the API calls tests make outside the browser. */
const deviceToken = async () => (cachedToken ??= await loginDevice(gw, github, OCTOCAT));
