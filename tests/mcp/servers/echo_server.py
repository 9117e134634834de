#!/usr/bin/env python3
"""A minimal MCP server in Python (stdio, one tool `py_echo`): checks that a
`server_path` ending in .py runs with python3."""
import json
import sys


def reply(message_id, result):
    sys.stdout.write(json.dumps({"jsonrpc": "2.0", "id": message_id, "result": result}) + "\n")
    sys.stdout.flush()


for line in sys.stdin:
    message = json.loads(line)
    method, message_id = message.get("method"), message.get("id")
    if message_id is None:
        continue
    if method == "initialize":
        reply(message_id, {"protocolVersion": "2025-06-18", "capabilities": {"tools": {}},
                           "serverInfo": {"name": "python-echo", "version": "1"}})
    elif method == "tools/list":
        reply(message_id, {"tools": [{"name": "py_echo", "inputSchema": {"type": "object"}}]})
    elif method == "tools/call":
        text = message["params"].get("arguments", {}).get("text", "")
        reply(message_id, {"content": [{"type": "text", "text": text}]})
    else:
        sys.stdout.write(json.dumps({"jsonrpc": "2.0", "id": message_id,
                                     "error": {"code": -32601, "message": method}}) + "\n")
        sys.stdout.flush()
