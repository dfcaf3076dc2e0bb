"""One cluster (two hosts, nginx, PostgreSQL, S3) for the tests of this folder.

They run where the prerequisites are (root for ``ip netns``, nginx, socat, moto, PostgreSQL in
``ANBIAO_TEST_DATABASE_URL``) and are skipped elsewhere; ``.ci/run`` runs them once with
``ANBIAO_SCALEOUT_REQUIRED=1``, which turns a missing prerequisite into a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from scaleout.client import Proxy, create_authority
from scaleout.cluster import Cluster, missing_prerequisites
from support_api import fresh_database


@pytest.fixture(scope="package")
def cluster(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[Cluster]:
    if missing := missing_prerequisites():
        message = "the scale-out test needs " + ", ".join(missing)
        if os.environ.get("ANBIAO_SCALEOUT_REQUIRED"):
            pytest.fail(message)
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("scaleout")
    cluster = Cluster(fresh_database(folder, f"scaleout_{worker_id}"), folder)
    try:
        cluster.start()
        create_authority(cluster.database_url)
        yield cluster
    except BaseException:
        print(cluster.logs())  # shown with the failure
        raise
    finally:
        cluster.close()


@pytest.fixture(scope="package")
def proxy(cluster: Cluster) -> Proxy:
    return Proxy(cluster)
