"""Test helpers: start/stop an emulator process, boto3 clients, the admin API.

The process is started as the Rust harness starts it (``server.py --port 0
--exit-on-stdin-close``, ready line on stdout) and stopped with stdin closed,
SIGTERM, then SIGKILL if it lingers.
"""

from __future__ import annotations

import json
import select
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import boto3
import pytest
from botocore.config import Config

HERE = Path(__file__).resolve().parent
SERVER = HERE / "server.py"
READY = "SECRETS_CMK_EMULATOR_READY port="
DEFAULT_ACCOUNT = "123456789012"
OTHER_ACCOUNT = "222222222222"
REGION = "us-east-1"


def read_ready_port(proc: subprocess.Popen[str], timeout: float = 20.0) -> int:
    """Wait for the ready line; fail (with the process's stderr) if it does not come."""
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    line = proc.stdout.readline() if ready else ""
    if not line.startswith(READY):
        proc.kill()
        raise AssertionError(f"no ready line within {timeout}s, got {line!r}")
    return int(line[len(READY):].strip())


def start_server(*args: str, stderr: IO[Any] | int = subprocess.DEVNULL) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen(
        [sys.executable, str(SERVER), "--port", "0", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
    )
    return proc, read_ready_port(proc)


def stop_server(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        if proc.stdin is not None:
            proc.stdin.close()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@dataclass
class Emulator:
    """A running emulator: boto3 clients pointed at it and its admin API."""

    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(
        self,
        service: str,
        region: str = REGION,
        credentials: dict[str, str] | None = None,
        validate: bool = True,
    ) -> Any:
        """A boto3 client with retries off, so tests see the first answer."""
        creds = credentials or {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name=region,
            config=Config(retries={"total_max_attempts": 1}, parameter_validation=validate),
            **creds,
        )

    def admin(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.url}/_secrets_cmk/{path}", data=data, method=method)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def get(self, path: str) -> Any:
        status, body = self.admin("GET", path)
        assert status == 200, body
        return body

    def post(self, path: str, body: Any = None) -> Any:
        status, answer = self.admin("POST", path, body if body is not None else {})
        assert status == 200, answer
        return answer

    def requests(self, **filters: str) -> list[dict[str, Any]]:
        query = "&".join(f"{k}={v}" for k, v in filters.items())
        return self.get("requests" + (f"?{query}" if query else ""))["requests"]

    def assume(self, account: str, role: str = "secrets-cmk-test") -> dict[str, str]:
        """Credentials of a role in ``account`` (moto needs no role to exist)."""
        sts = self.client("sts")
        creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{role}", RoleSessionName="pytest")[
            "Credentials"
        ]
        return {
            "aws_access_key_id": creds["AccessKeyId"],
            "aws_secret_access_key": creds["SecretAccessKey"],
            "aws_session_token": creds["SessionToken"],
        }


def error_code(excinfo: pytest.ExceptionInfo[Any]) -> str:
    return excinfo.value.response["Error"]["Code"]

