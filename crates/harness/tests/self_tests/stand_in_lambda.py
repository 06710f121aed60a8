"""A stand-in Lambda runtime client for the harness self-tests (stdlib only).

Polls the Runtime API like lambda_runtime does and acts on the event's "action":
echo (respond with the event, the invocation headers and the environment), fail
(post an error), exit (exit with status 3), sleep (sleep "seconds", then respond).
Logs one JSON line per invocation on stdout, like the real Lambda's tracing output.
"""

import json
import os
import sys
import time
import urllib.request

API = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime"


def post(path, doc, headers=None):
    request = urllib.request.Request(
        API + path, data=json.dumps(doc).encode(), method="POST", headers=headers or {}
    )
    with urllib.request.urlopen(request) as response:
        response.read()


def main():
    print(json.dumps({"message": "stand-in started"}), flush=True)
    print("a plain stderr line", file=sys.stderr, flush=True)
    while True:
        with urllib.request.urlopen(API + "/invocation/next", timeout=3600) as response:
            event = json.loads(response.read())
            headers = {k.lower(): v for k, v in response.headers.items()}
        request_id = headers["lambda-runtime-aws-request-id"]
        action = event.get("action")
        print(json.dumps({"message": "invocation", "action": action, "request_id": request_id}), flush=True)
        if action == "exit":
            print("exiting on request", file=sys.stderr, flush=True)
            sys.exit(3)
        if action == "fail":
            post(
                f"/invocation/{request_id}/error",
                {"errorType": "StandInError", "errorMessage": "failed on request"},
                {"lambda-runtime-function-error-type": "unhandled"},
            )
            continue
        if action == "sleep":
            time.sleep(float(event.get("seconds", 1)))
        post(
            f"/invocation/{request_id}/response",
            {"event": event, "headers": headers, "env": dict(os.environ)},
        )


if __name__ == "__main__":
    main()
