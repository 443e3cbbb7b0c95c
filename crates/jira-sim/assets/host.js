/*
 * jira-sim's host page script: the Jira side of the all.js emulation (see all.js for the
 * message protocol). It answers the app iframe's calls as the signed-in user: REST calls are
 * same-origin fetches with the session cookie, so CORS never applies, as in real Connect.
 */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("jira-sim-host").textContent);
  var frame = document.getElementById("app-frame");
  var status = document.getElementById("host-status");
  var allowedHeaders = ["accept", "content-type", "if-match", "if-none-match", "x-atlassian-token"];

  function setStatus(text) {
    if (status) {
      status.textContent = text;
    }
  }

  async function doRequest(o) {
    if (!o || typeof o.url !== "string" || !o.url.startsWith("/rest/")) {
      throw "AP.request: the url must be a Jira REST path starting with /rest/";
    }
    var method = String(o.type || "GET").toUpperCase();
    var headers = { Accept: "application/json" };
    Object.keys(o.headers || {}).forEach(function (k) {
      if (allowedHeaders.indexOf(k.toLowerCase()) >= 0) {
        headers[k] = String(o.headers[k]);
      }
    });
    var url = o.url;
    var body;
    if (o.data !== undefined && o.data !== null) {
      if (method === "GET" || method === "HEAD") {
        if (typeof o.data === "object") {
          var q = new URLSearchParams(o.data).toString();
          url += (url.indexOf("?") >= 0 ? "&" : "?") + q;
        }
      } else {
        body = typeof o.data === "string" ? o.data : JSON.stringify(o.data);
        headers["Content-Type"] = o.contentType || "application/json";
      }
    }
    if (o.contentType && body !== undefined) {
      headers["Content-Type"] = o.contentType;
    }
    var r = await fetch(url, { method: method, headers: headers, body: body, credentials: "same-origin" });
    var text = await r.text();
    var hs = {};
    r.headers.forEach(function (v, k) {
      hs[k] = v;
    });
    return { status: r.status, statusText: r.statusText, body: text, headers: hs };
  }

  async function token() {
    var r = await fetch(cfg.tokenUrl, { credentials: "same-origin" });
    if (!r.ok) {
      throw "cannot mint a context token: " + r.status;
    }
    return (await r.json()).token;
  }

  window.addEventListener("message", async function (e) {
    if (e.origin !== cfg.appOrigin || e.source !== frame.contentWindow) {
      return;
    }
    var m = e.data;
    if (!m || m.jiraSim !== 1) {
      return;
    }
    function reply(result, error) {
      frame.contentWindow.postMessage({ jiraSim: 1, id: m.id, result: result, error: error }, cfg.appOrigin);
    }
    try {
      switch (m.type) {
        case "init":
          setStatus("app connected");
          reply(true);
          break;
        case "request":
          reply(await doRequest(m.payload));
          break;
        case "getToken":
          reply(await token());
          break;
        case "getContext":
          reply(cfg.context);
          break;
        case "getCurrentUser":
          reply({ atlassianAccountId: cfg.user.accountId });
          break;
        case "resize":
          if (m.payload && m.payload.height) {
            frame.style.height = /^\d+$/.test(String(m.payload.height)) ? m.payload.height + "px" : String(m.payload.height);
          }
          reply(true);
          break;
        case "sizeToParent":
          frame.style.height = "calc(100vh - 56px)";
          reply(true);
          break;
        default:
          reply(undefined, "unsupported AP call: " + m.type);
      }
    } catch (err) {
      reply(undefined, String(err));
    }
  });
})();
