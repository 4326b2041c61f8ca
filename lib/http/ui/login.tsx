/**
 * @module
 * `/ui/login` and `/ui/logout`: the one place the dashboard asks for the token. A right token
 * sets the session cookie and goes back where the operator was headed; a wrong one says so
 * (401) and sets nothing. Both answer only to this origin's forms (the CSP's form-action,
 * and SameSite=Strict on the cookie).
 */
import { Hono, type Context } from "hono";
import { raw } from "hono/html";
import { bearerMatches } from "../middleware/bearer-token.ts";
import { DocumentHead } from "./layout.tsx";
import { safeNext, sessionCookie, sessionValue } from "./session.ts";

/**
 * @example app.route("/ui", loginRoutes("s3cret"))
 */
export function loginRoutes(token: string | undefined): Hono {
  return new Hono()
    .get("/login", (c) => c.html(<LoginPage next={safeNext(c.req.query("next"))} />))
    .post("/login", async (c) => {
      const form = await c.req.parseBody();
      const next = safeNext(typeof form["next"] === "string" ? form["next"] : undefined);
      const presented = typeof form["token"] === "string" ? form["token"] : "";
      if (token === undefined) return c.redirect(next, 303);
      if (presented === "" || !bearerMatches(`Bearer ${presented}`, token)) return c.html(<LoginPage next={next} failed />, 401);
      c.header("Set-Cookie", sessionCookie(sessionValue(token), isHttps(c)));
      return c.redirect(next, 303);
    })
    .post("/logout", (c) => {
      c.header("Set-Cookie", sessionCookie(undefined, isHttps(c)));
      return c.redirect("/ui/login", 303);
    });
}

function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === "https:" || c.req.header("x-forwarded-proto") === "https";
}

function LoginPage(props: { next: string; failed?: boolean }) {
  return (
    <>
      {raw("<!DOCTYPE html>")}
      <html lang="en">
        <DocumentHead title="Log in · wayfinder" />
        <body>
          <form class="login" action="/ui/login" method="post">
            <h1>wayfinder</h1>
            <p class="muted">This control plane needs its token (WAYFINDER_TOKEN). The browser keeps a session cookie for the dashboard only.</p>
            {props.failed ? <p class="error-text">That is not the token.</p> : null}
            <label for="token">Token</label>
            <input id="token" name="token" type="password" autocomplete="current-password" autofocus required />
            <input type="hidden" name="next" value={props.next} />
            <button type="submit">Log in</button>
          </form>
        </body>
      </html>
    </>
  );
}
