"""Drives upstream's Python SDK (`openshell`) for the interop e2e suites.

Run with a venv's python from scripts/tools/openshell-sdk.sh. Reads one JSON request a line
on stdin, `{"id": N, "call": NAME, "args": {...}}`, makes that call with the SDK and writes
one JSON line back: `{"id": N, "ok": true, "result": ...}`, or `{"id": N, "ok": false,
"error": {"type": ..., "code": ..., "details": ...}}` where `code` is the gRPC status name.
The calls are the SDK's own methods (`SandboxClient`, `WorkspaceClient`); the RPCs of our
subset that the SDK offers only as generated stubs (watch, logs, interactive exec, gateway
info) go through its stub with its own messages. The same driver serves the 0.1.x SDK for the
calls whose signatures both releases share.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import pathlib
import queue
import sys
import time

import grpc
import openshell
from google.protobuf.json_format import MessageToDict
from openshell._proto import openshell_pb2


def sandbox_facts(a, b, *, greeting):
    """Runs inside the sandbox through `exec_python`: proves where it ran and with what."""
    import os
    import platform

    return f"sum={a + b} greeting={greeting} python={platform.python_version()} sandbox={os.environ.get('OPENSHELL_SANDBOX', '')} cwd={os.getcwd()}"


def fail_inside():
    """Runs inside the sandbox: an exception's exit code and traceback come back."""
    raise RuntimeError("raised inside the sandbox")


PYTHON_FUNCTIONS = {"sandbox_facts": sandbox_facts, "fail_inside": fail_inside}


def to_plain(value):
    if dataclasses.is_dataclass(value):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if hasattr(value, "DESCRIPTOR"):
        return MessageToDict(value, preserving_proto_field_name=True)
    if isinstance(value, dict) or hasattr(value, "items"):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) or hasattr(value, "__next__"):
        return [to_plain(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value


class Driver:
    def __init__(self, options):
        tls = None
        if options.ca:
            tls = openshell.TlsConfig(
                ca_path=pathlib.Path(options.ca),
                cert_path=pathlib.Path(options.cert) if options.cert else None,
                key_path=pathlib.Path(options.key) if options.key else None,
            )
        self.client = openshell.SandboxClient(
            options.endpoint, tls=tls, bearer_token=options.token or None, timeout=options.timeout
        )
        self.workspaces = openshell.WorkspaceClient.from_sandbox_client(self.client)
        self.stub = self.client._stub
        self.timeout = options.timeout

    # SandboxClient
    def health(self):
        return self.client.health()

    def create(self, workspace="", name=None, labels=None, image="", command=None, environment=None, policy=False):
        spec = openshell_pb2.SandboxSpec(command=command or [], environment=environment or {})
        if image:
            spec.template.image = image
        if policy:
            spec.policy.version = 1
        return self.client.create(workspace=workspace, spec=spec, name=name, labels=labels)

    def get(self, name, workspace=""):
        return self.client.get(name, workspace=workspace)

    def list(self, workspace="", **paging):
        return list(self.client.list(workspace=workspace, **paging))

    def list_for_all_workspaces(self, **paging):
        return self.client.list_for_all_workspaces(**paging)

    def list_ids(self, workspace="", **paging):
        return self.client.list_ids(workspace=workspace, **paging)

    def delete(self, name, workspace=""):
        return self.client.delete(name, workspace=workspace)

    def stop(self, name, workspace=""):
        return self.client.stop(name, workspace=workspace)

    def start(self, name, workspace=""):
        return self.client.start(name, workspace=workspace)

    def wait_ready(self, name, workspace="", timeout_seconds=90):
        return self.client.wait_ready(name, workspace=workspace, timeout_seconds=timeout_seconds)

    def wait_stopped(self, name, workspace="", timeout_seconds=90):
        return self.client.wait_stopped(name, workspace=workspace, timeout_seconds=timeout_seconds)

    def wait_deleted(self, name, workspace="", timeout_seconds=90):
        return self.client.wait_deleted(name, workspace=workspace, timeout_seconds=timeout_seconds)

    def exec(self, sandbox_id, command, workdir=None, env=None, stdin=None, timeout_seconds=None):
        return self.client.exec(
            sandbox_id,
            command,
            workdir=workdir,
            env=env,
            stdin=stdin.encode() if stdin is not None else None,
            timeout_seconds=timeout_seconds,
        )

    def exec_stream(self, sandbox_id, command):
        return [item for item in self.client.exec_stream(sandbox_id, command)]

    def exec_python(self, sandbox_id, function, args=(), kwargs=None, workdir=None, env=None):
        return self.client.exec_python(
            sandbox_id, PYTHON_FUNCTIONS[function], args=args, kwargs=kwargs, workdir=workdir, env=env
        )

    def sandbox_context(self, gateway, workspace="", image="", python_function=None, command=None):
        """`with openshell.Sandbox(...)`: the SDK's own entry point, configured from the gateway
        directory under $XDG_CONFIG_HOME/openshell/gateways/GATEWAY (as upstream's CLI writes it).
        Creates, waits for Ready, runs what is asked, then deletes and waits until gone."""
        spec = openshell_pb2.SandboxSpec()
        if image:
            spec.template.image = image
        results = {}
        # auto_refresh=False: the token file is static, there is no identity provider to ask.
        with openshell.Sandbox(workspace=workspace, cluster=gateway, spec=spec, auto_refresh=False, ready_timeout_seconds=90) as sandbox:
            results["sandbox"] = sandbox.sandbox
            if command:
                results["exec"] = sandbox.exec(command)
            if python_function:
                results["exec_python"] = sandbox.exec_python(PYTHON_FUNCTIONS[python_function], args=(20, 22), kwargs={"greeting": "context"})
        return results

    # WorkspaceClient
    def workspace_create(self, name, labels=None):
        return self.workspaces.create(name, labels=labels)

    def workspace_get(self, name):
        return self.workspaces.get(name)

    def workspace_list(self, **paging):
        return self.workspaces.list(**paging)

    def workspace_delete(self, name):
        return self.workspaces.delete(name)

    # InferenceRouteClient: a service outside our subset
    def inference_get_route(self, workspace=""):
        return openshell.InferenceRouteClient.from_sandbox_client(self.client).get_route(workspace=workspace)

    # RPCs the SDK exposes only through its generated stub
    def gateway_info(self):
        return self.stub.GetGatewayInfo(openshell_pb2.GetGatewayInfoRequest(), timeout=self.timeout)

    def logs(self, sandbox_id, sources=None, min_level="", lines=0):
        request = openshell_pb2.GetSandboxLogsRequest(sandbox_id=sandbox_id, sources=sources or [], min_level=min_level, lines=lines)
        return self.stub.GetSandboxLogs(request, timeout=self.timeout)

    def watch(self, id, until_phase=None, max_events=100, seconds=20, **request):
        """Collects WatchSandbox events until one shows `until_phase`, `max_events`, the stream's end or `seconds`."""
        stream = self.stub.WatchSandbox(openshell_pb2.WatchSandboxRequest(id=id, **request), timeout=seconds)
        events = []
        try:
            for event in stream:
                events.append(event)
                reached = until_phase is not None and event.WhichOneof("payload") == "sandbox" and openshell_pb2.SandboxPhase.Name(event.sandbox.status.phase) == until_phase
                if reached or len(events) >= max_events:
                    stream.cancel()
                    break
        except grpc.RpcError as error:
            if error.code() not in (grpc.StatusCode.CANCELLED, grpc.StatusCode.DEADLINE_EXCEEDED):
                raise
        return events

    def exec_interactive(self, sandbox_id, command, stdin=(), tty=False, cols=0, rows=0, resize=None, close_stdin=True, seconds=30):
        """ExecSandboxInteractive the way a terminal client drives it: start, input, then wait for the exit."""
        requests = queue.Queue()
        requests.put(openshell_pb2.ExecSandboxInput(start=openshell_pb2.ExecSandboxRequest(sandbox_id=sandbox_id, command=command, tty=tty, cols=cols, rows=rows)))
        if resize:
            requests.put(openshell_pb2.ExecSandboxInput(resize=openshell_pb2.ExecSandboxWindowResize(cols=resize[0], rows=resize[1])))
        for chunk in stdin:
            requests.put(openshell_pb2.ExecSandboxInput(stdin=chunk.encode()))
        if close_stdin:
            requests.put(None)

        def inputs():
            while True:
                item = requests.get()
                if item is None:
                    return
                yield item

        stdout, stderr, exit_code = [], [], None
        try:
            for event in self.stub.ExecSandboxInteractive(inputs(), timeout=seconds):
                kind = event.WhichOneof("payload")
                if kind == "stdout":
                    stdout.append(event.stdout.data)
                elif kind == "stderr":
                    stderr.append(event.stderr.data)
                elif kind == "exit":
                    exit_code = event.exit.exit_code
        finally:
            requests.put(None)
        return {"exit_code": exit_code, "stdout": b"".join(stdout), "stderr": b"".join(stderr)}


def error_of(error):
    if isinstance(error, grpc.RpcError) and hasattr(error, "code"):
        return {"type": type(error).__name__, "code": error.code().name, "details": error.details()}
    return {"type": type(error).__name__, "code": None, "details": str(error)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--ca")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--token")
    parser.add_argument("--timeout", type=float, default=20.0)
    driver = Driver(parser.parse_args())
    print(json.dumps({"ready": True, "sdk_version": openshell.__version__, "python": sys.version.split()[0]}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        started = time.monotonic()
        try:
            result = getattr(driver, request["call"])(**request.get("args", {}))
            reply = {"ok": True, "result": to_plain(result)}
        except Exception as error:  # every failure goes back to the test as data
            reply = {"ok": False, "error": error_of(error)}
        reply.update(id=request["id"], seconds=round(time.monotonic() - started, 3))
        print(json.dumps(reply), flush=True)
    driver.client.close()


if __name__ == "__main__":
    main()
