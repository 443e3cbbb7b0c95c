/*
 * jira-sim's all.js: an emulation of the part of Atlassian Connect's all.js that Dwell uses,
 * for the offline demo and tests (Atlassian's real all.js cannot be loaded here).
 *
 * It talks to jira-sim's host page (the iframe's parent, whose origin the `xdm_e` query
 * parameter names) over postMessage. Every call is one message:
 *   iframe -> host  {jiraSim: 1, id, type, payload}
 *   host -> iframe  {jiraSim: 1, id, result}   or   {jiraSim: 1, id, error}
 * Types: "init", "request", "getToken", "getContext", "getCurrentUser", "resize",
 * "sizeToParent". Both sides check the other's origin and window.
 *
 * Implemented: AP.request (callbacks and promise), AP.context.getToken, AP.context.getContext,
 * AP.user.getCurrentUser, AP.resize, AP.sizeToParent. Anything else is absent on purpose.
 */
(function () {
  "use strict";
  if (window.AP && window.AP.jiraSim) {
    return;
  }
  var params = new URLSearchParams(window.location.search);
  var hostOrigin = null;
  try {
    hostOrigin = new URL(params.get("xdm_e") || "").origin;
  } catch (e) {
    hostOrigin = null;
  }
  var pending = {};
  var nextId = 1;

  function send(type, payload) {
    return new Promise(function (resolve, reject) {
      if (!hostOrigin || window.parent === window) {
        reject(new Error("all.js: this page is not inside a Jira host page (no xdm_e)"));
        return;
      }
      var id = nextId++;
      pending[id] = { resolve: resolve, reject: reject };
      window.parent.postMessage({ jiraSim: 1, id: id, type: type, payload: payload }, hostOrigin);
    });
  }

  window.addEventListener("message", function (e) {
    if (e.origin !== hostOrigin || e.source !== window.parent) {
      return;
    }
    var m = e.data;
    if (!m || m.jiraSim !== 1 || !pending[m.id]) {
      return;
    }
    var p = pending[m.id];
    delete pending[m.id];
    if (m.error !== undefined && m.error !== null) {
      p.reject(new Error(String(m.error)));
    } else {
      p.resolve(m.result);
    }
  });

  function xhrLike(r) {
    var headers = r.headers || {};
    return {
      status: r.status,
      statusText: r.statusText,
      responseText: r.body,
      getResponseHeader: function (name) {
        var v = headers[String(name).toLowerCase()];
        return v === undefined ? null : v;
      },
      getAllResponseHeaders: function () {
        return Object.keys(headers)
          .map(function (k) {
            return k + ": " + headers[k];
          })
          .join("\r\n");
      },
    };
  }

  function request(arg) {
    var o = typeof arg === "string" ? { url: arg } : Object.assign({}, arg || {});
    var success = o.success;
    var error = o.error;
    var message = {
      url: o.url,
      type: String(o.type || "GET").toUpperCase(),
      data: o.data,
      contentType: o.contentType,
      headers: o.headers || {},
    };
    var p = send("request", message).then(
      function (r) {
        var xhr = xhrLike(r);
        if (r.status >= 200 && r.status < 300) {
          if (success) {
            success(r.body, "success", xhr);
          }
          return { body: r.body, xhr: xhr };
        }
        if (error) {
          error(xhr, "error", r.statusText);
        }
        throw { err: r.body, xhr: xhr };
      },
      function (failure) {
        var xhr = xhrLike({ status: 0, statusText: String(failure), body: "", headers: {} });
        if (error) {
          error(xhr, "error", String(failure));
        }
        throw { err: String(failure), xhr: xhr };
      }
    );
    if (success || error) {
      p.catch(function () {});
    }
    return p;
  }

  function withCallback(promise, cb) {
    if (typeof cb === "function") {
      promise.then(cb, function () {});
    }
    return promise;
  }

  window.AP = {
    jiraSim: true,
    request: request,
    context: {
      getToken: function (cb) {
        return withCallback(send("getToken"), cb);
      },
      getContext: function (cb) {
        return withCallback(send("getContext"), cb);
      },
    },
    user: {
      getCurrentUser: function (cb) {
        return withCallback(send("getCurrentUser"), cb);
      },
    },
    resize: function (width, height) {
      send("resize", { width: width, height: height }).catch(function () {});
    },
    sizeToParent: function () {
      send("sizeToParent").catch(function () {});
    },
  };

  send("init", { url: window.location.pathname }).catch(function () {});
})();
