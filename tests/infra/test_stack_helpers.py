"""The helpers behind `make up` and `make test`: ports, env files, pid files, leftovers."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time

import pytest

from infra import envfile, procs, stack, system, testenv


def test_free_ports_are_distinct_and_bindable():
    ports = procs.free_ports(8)

    assert len(set(ports)) == 8
    for port in ports:
        assert procs.port_is_free(port)


def test_a_preferred_port_is_kept_when_free_and_replaced_when_taken():
    free, other = procs.free_ports(2)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]

        assert not procs.port_is_free(busy)
        assert procs.preferred_port(busy) not in {busy, 0}
        assert procs.preferred_port(busy, None, other) == other  # the next candidate, in order
        assert procs.preferred_port(free, other) == free


def test_redis_answers_only_for_a_redis(redis_client):
    port = int(redis_client.connection_pool.connection_kwargs["port"])

    assert procs.redis_answers(port)
    assert not procs.redis_answers(procs.free_port())


def test_an_env_file_round_trips_and_is_private(tmp_path):
    path = tmp_path / "stack.env"
    values = {"S3_ENDPOINT": "127.0.0.1:8333", "DATABASE_URL": "sqlite:////x/y.sqlite3"}

    envfile.write_env(path, values, header="a header\nof two lines")

    assert envfile.read_env(path) == values
    assert path.read_text().startswith("# a header\n# of two lines\n")
    assert path.stat().st_mode & 0o777 == 0o600


def test_an_env_file_refuses_values_a_shell_would_split(tmp_path):
    with pytest.raises(ValueError, match="quoting"):
        envfile.write_env(tmp_path / "x.env", {"A": "two words"})


def test_a_second_run_reuses_the_ports_and_keys_of_the_first(tmp_path, monkeypatch):
    monkeypatch.setattr(stack, "ENV_FILE", tmp_path / "stack.env")
    first = stack.load_env()
    first["STACK_WEB_PORT"] = "8123"
    envfile.write_env(stack.ENV_FILE, first)

    second = stack.load_env()

    assert second == first
    for key in ("S3_ACCESS_KEY", "S3_SECRET_KEY", "ACCORD_SECRET_KEY", "ACCORD_CELERY_QUEUE"):
        assert second[key] == first[key]
    # ... while a fresh checkout gets keys of its own.
    assert stack.first_run_values()["S3_SECRET_KEY"] != first["S3_SECRET_KEY"]


def test_the_media_worker_gets_its_own_token_and_storage_key(tmp_path, monkeypatch):
    monkeypatch.setattr(stack, "ENV_FILE", tmp_path / "stack.env")
    # An env file of an earlier version (one shared ACCORD_MEDIA_TOKEN) gets the new keys.
    envfile.write_env(stack.ENV_FILE, {"MEDIA_WORKER_ID": "mw-old", "ACCORD_MEDIA_TOKEN": "x"})
    env = stack.load_env()
    token = env["MEDIA_WORKER_TOKEN"]
    assert len(token) >= 32
    assert env["ACCORD_MEDIA_WORKERS"] == f"mw-old={hashlib.sha256(token.encode()).hexdigest()}"
    assert token not in env["ACCORD_MEDIA_WORKERS"]
    writer = stack.recordings_writer(env)
    assert writer.access_key == env["MEDIA_WORKER_S3_ACCESS_KEY"] != env["S3_ACCESS_KEY"]
    assert writer.identity()["actions"] == ["Write:accord-recordings"]
    assert [w.name for w in stack.seaweed(env).writers] == ["media-worker"]


def test_the_web_binds_the_internal_listener_when_it_has_a_port():
    public_only = stack.app_argv("web", {"STACK_WEB_PORT": "8000"})
    assert "-e" not in public_only
    both = stack.app_argv("web", {"STACK_WEB_PORT": "8000", "ACCORD_INTERNAL_PORT": "8001"})
    assert both[-3:] == ["-e", "tcp:port=8001:interface=127.0.0.1", "config.asgi:application"]


def test_process_env_drops_the_callers_settings(monkeypatch):
    monkeypatch.setenv("S3_ENDPOINT", "elsewhere:1")
    monkeypatch.setenv("ACCORD_DEBUG", "1")

    env = stack.process_env({"S3_ENDPOINT": "127.0.0.1:8333"})

    assert env["S3_ENDPOINT"] == "127.0.0.1:8333"
    assert "ACCORD_DEBUG" not in env
    assert env["PATH"].startswith(str(stack.VENV_BIN))


def sleeper(tmp_path, name="sleeper"):
    return procs.start_process(
        name,
        [sys.executable, "-c", "import time; time.sleep(60)"],
        env=os.environ,
        pid_dir=tmp_path / "run",
        log_dir=tmp_path / "log",
        cwd=tmp_path,
    )


def test_a_pid_file_names_its_process_until_it_is_stopped(tmp_path):
    pid = sleeper(tmp_path)
    pidfile = tmp_path / "run" / "sleeper.pid"

    assert procs.read_pidfile(pidfile) == pid
    assert procs.stop_pidfile(pidfile)
    assert not procs.pid_alive(pid)
    assert not pidfile.exists()
    assert not procs.stop_pidfile(pidfile)  # a second stop is a no-op


def test_a_pid_file_older_than_its_process_names_nobody(tmp_path):
    # The pid is alive but was started long after the file was written: a reused pid.
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        pidfile = tmp_path / "old.pid"
        pidfile.write_text(f"{other.pid}\n")
        an_hour_ago = time.time() - 3600
        os.utime(pidfile, (an_hour_ago, an_hour_ago))

        assert procs.read_pidfile(pidfile) is None
        assert not procs.stop_pidfile(pidfile)
        assert other.poll() is None  # a stranger is never signalled
    finally:
        other.kill()
        other.wait()


def test_leftovers_of_a_killed_run_are_stopped_and_removed(tmp_path):
    base = tmp_path / "deadbeef"
    pid = sleeper(base)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (base / "owner.pid").write_text(f"{dead.pid}\n")

    testenv.reap_orphans(tmp_path)

    assert not procs.pid_alive(pid)
    assert not base.exists()


def test_a_live_runs_directory_is_left_alone(tmp_path):
    base = tmp_path / "cafe"
    pid = sleeper(base)
    owner = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    (base / "owner.pid").write_text(f"{owner.pid}\n")
    try:
        testenv.reap_orphans(tmp_path)

        assert base.exists()
        assert procs.pid_alive(pid)
    finally:
        procs.stop_pid(pid)
        owner.kill()
        owner.wait()


def test_without_root_a_missing_package_stops_with_the_exact_command(monkeypatch, capsys):
    monkeypatch.setattr(system, "is_root", lambda: False)

    with pytest.raises(SystemExit) as stopped:
        system.apt_install(["redis-server", "postgresql"], why="tests")

    assert stopped.value.code == 2
    assert (
        "sudo apt-get install -y --no-install-recommends postgresql redis-server"
        in capsys.readouterr().err
    )


def test_processes_tagged_with_a_run_id_are_found_and_stopped(tmp_path):
    tag = f"t{os.getpid()}-{time.monotonic_ns()}"
    env = {**os.environ, "ACCORD_TEST_RUN": tag}
    tagged = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], env=env)
    untagged = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert procs.pids_with_env("ACCORD_TEST_RUN", tag) == [tagged.pid]

        assert procs.stop_tagged("ACCORD_TEST_RUN", tag) == [tagged.pid]

        assert tagged.poll() is not None
        assert untagged.poll() is None
    finally:
        for process in (tagged, untagged):
            process.kill()
            process.wait()


def test_make_up_runs_every_process_and_command_in_demo_mode(tmp_path, monkeypatch):
    # Demo mode is off unless set (settings.py); `make up` sets it in the env file that every
    # process it starts and every `accord` command reads, whatever the caller's shell says.
    monkeypatch.setattr(stack, "ENV_FILE", tmp_path / "stack.env")
    monkeypatch.setenv("ACCORD_DEMO", "0")
    envfile.write_env(stack.ENV_FILE, {"S3_ENDPOINT": "127.0.0.1:8333"})  # an older file

    env = stack.load_env()

    assert env["ACCORD_DEMO"] == "1"
    # bring_up_apps() and accord() start everything with process_env(env).
    assert stack.process_env(env)["ACCORD_DEMO"] == "1"


def test_the_development_tsa_gets_a_port_and_every_process_its_url(monkeypatch, tmp_path):
    monkeypatch.setattr(stack, "LAYOUT", stack.Layout(tmp_path, tmp_path, tmp_path))
    env: dict[str, str] = {}

    stack.choose_tsa_port(env)

    port = env["STACK_TSA_PORT"]
    assert env["ACCORD_TSA_URL"] == f"http://127.0.0.1:{port}/"
    assert stack.app_argv("dev-tsa", env)[-3:] == ["dev_tsa", "--port", port]
    # It starts before the processes that seal and anchor with it.
    assert stack.APP_PROCESSES.index("dev-tsa") < stack.APP_PROCESSES.index("web")
    again = dict(env)
    stack.choose_tsa_port(again)
    assert again["STACK_TSA_PORT"] == port  # kept while free


def test_the_beat_schedule_names_only_registered_tasks():
    from django.conf import settings

    from config.celery import app

    app.loader.import_default_modules()
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "accord.trust.tasks.anchor_moved_chains" in names
    assert names <= set(app.tasks)
