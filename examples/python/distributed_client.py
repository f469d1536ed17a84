"""The seed's distributed-manager client, with Python's standard library only:
connect with the authkey, read the shared list, append 1, read it again.

usage: python3 distributed_client.py URL AUTHKEY
"""

import json
import sys

from redproc_manager import Manager

url, authkey = sys.argv[1], sys.argv[2]
mgr = Manager(url, authkey)

l = mgr.list("shared_list")
print(json.dumps(l.to_list()))
l.append(1)
print(json.dumps(mgr.list("shared_list").to_list()))
