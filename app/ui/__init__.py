"""The dashboard: server-rendered page shells under /ui that read the public /v1 API.

The pages hold no data: each one's script (app/ui/static/js) fetches what it shows from the
API in the browser, with the same keys and limits as any other client. Chart.js is vendored
(app/ui/static/vendor), so the pages work with no network and need no build step.
"""
