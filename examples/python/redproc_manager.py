"""A redproc manager client in Python's standard library only (urllib.request):
the shared dicts, lists and values of a redproc api, reached from the language
the seed was written in.

    manager = Manager("http://127.0.0.1:3000", authkey="secret")
    shared = manager.list("shared_list")
    shared.append(1)
    print(shared.to_list())
"""

import json
import urllib.error
import urllib.parse
import urllib.request


class RedprocError(Exception):
    """The api's { error: { code, message } }: code is the contract's (KEY_ERROR, AUTH...)."""

    def __init__(self, status, code, message):
        super().__init__("%s: %s" % (code, message))
        self.status = status
        self.code = code


class Manager:
    def __init__(self, url, authkey):
        self.url = url.rstrip("/")
        self.authkey = authkey

    def request(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Authorization", "Bearer " + self.authkey)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read()
                return json.loads(text) if text else None
        except urllib.error.HTTPError as error:
            payload = json.loads(error.read() or b"{}").get("error", {})
            raise RedprocError(error.code, payload.get("code"), payload.get("message")) from None

    def dict(self, name):
        return Dict(self, name)

    def list(self, name):
        return List(self, name)


def _segment(text):
    return urllib.parse.quote(text, safe="")


class Dict:
    def __init__(self, manager, name):
        self.manager, self.path = manager, "/v1/dicts/" + _segment(name)

    def __getitem__(self, key):
        return self.manager.request("GET", self.path + "/" + _segment(key))["value"]

    def __setitem__(self, key, value):
        self.manager.request("PUT", self.path + "/" + _segment(key), {"value": value})

    def update(self, pairs):
        self.manager.request("PATCH", self.path, dict(pairs))

    def to_dict(self):
        items, cursor = {}, "0"
        while cursor is not None:
            page = self.manager.request("GET", "%s?cursor=%s&count=1000" % (self.path, cursor))
            items.update(page["items"])
            cursor = page["cursor"]
        return items


class List:
    def __init__(self, manager, name):
        self.manager, self.path = manager, "/v1/lists/" + _segment(name)

    def append(self, item):
        self.manager.request("POST", self.path, {"append": item})

    def extend(self, items):
        self.manager.request("POST", self.path, {"extend": list(items)})

    def __getitem__(self, index):
        return self.manager.request("GET", "%s/%d" % (self.path, index))["value"]

    def __len__(self):
        return self.manager.request("GET", self.path + "?start=0&stop=0")["length"]

    def to_list(self):
        return self.manager.request("GET", self.path)["items"]
