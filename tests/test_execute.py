"""The warm kernel: papermill still injects parameters, nothing leaks between notebooks,
failures and timeouts restart the kernel, start-up races are retried."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from papermill import PapermillExecutionError

from healthcheck.batch import execute
from healthcheck.batch.execute import KernelStartError, NotebookTimeout, WarmKernel, is_transient, renumber


def probe_notebook(folder):
    """A notebook with the report's parameters that shows what the kernel remembers."""
    nb = new_notebook(
        cells=[
            new_markdown_cell("# Probe"),
            new_code_cell(
                'council = "E06000006"\nyear = None\nproject_root = None\nshow_free_text = False',
                metadata={"tags": ["parameters"]},
            ),
            new_code_cell(
                "import os\n"
                "leaked = 'SECRET' in globals()\n"
                "SECRET = council\n"
                "print(f'pid={os.getpid()} leaked={leaked} cwd={os.getcwd()}')"
            ),
            new_code_cell(
                "if council == 'FAIL':\n"
                "    raise ValueError('no organisation matches FAIL')\n"
                "if council == 'SLOW':\n"
                "    import time\n"
                "    time.sleep(30)"
            ),
            new_code_cell("f'{council} {year}'"),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    path = folder / "probe.ipynb"
    nbformat.write(nb, str(path))
    return path


def _stdout(nb) -> str:
    return "".join(
        o.get("text", "") for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "stream"
    )


def test_renumber_counts_from_one_and_skips_unexecuted_cells():
    nb = new_notebook(cells=[new_markdown_cell("x"), new_code_cell("a"), new_code_cell("b"), new_code_cell("c")])
    nb.cells[1].execution_count = 57
    nb.cells[2].execution_count = None  # not run (after an error)
    nb.cells[3].execution_count = 59
    nb.cells[3].outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "1"}, execution_count=59)]
    renumber(nb)
    assert [c.get("execution_count") for c in nb.cells] == [None, 1, None, 2]
    assert nb.cells[3].outputs[0]["execution_count"] == 2


@pytest.mark.parametrize(
    "message, transient",
    [
        ("ZMQError: Address already in use (addr='tcp://127.0.0.1:51234')", True),
        ("RuntimeError: Kernel didn't respond in 60 seconds", True),
        ("ValueError: no organisation matches 'Atlantis'", False),
    ],
)
def test_transient_errors_are_the_start_up_races(message, transient):
    assert is_transient(RuntimeError(message)) is transient


def test_start_retries_port_race_then_gives_up_with_clear_message(monkeypatch):
    calls = []

    def flaky(self):
        calls.append(1)
        if len(calls) == 1:
            import zmq

            raise zmq.ZMQError(98, "Address already in use")

    monkeypatch.setattr(WarmKernel, "_start_once", flaky)
    monkeypatch.setattr(execute.time, "sleep", lambda s: None)
    notes: list[str] = []
    WarmKernel(start_attempts=3).start(notes)
    assert len(calls) == 2
    assert len(notes) == 1 and "attempt 1 of 3" in notes[0] and "Address already in use" in notes[0]

    def never(self):
        raise RuntimeError("Kernel didn't respond in 60 seconds")

    monkeypatch.setattr(WarmKernel, "_start_once", never)
    with pytest.raises(KernelStartError, match="after 2 attempts: RuntimeError: Kernel didn't respond"):
        WarmKernel(start_attempts=2).start()


@pytest.mark.slow
def test_warm_kernel_reuse_isolation_failure_and_timeout(tmp_path):
    source = probe_notebook(tmp_path)
    with WarmKernel(warmup=None) as kernel:
        first = kernel.execute(source, tmp_path / "a.ipynb", {"council": "E06000006", "year": 2020})
        kernel.execute(source, tmp_path / "b.ipynb", {"council": "E08000009", "year": 2021})
        a = nbformat.read(str(tmp_path / "a.ipynb"), as_version=4)
        b = nbformat.read(str(tmp_path / "b.ipynb"), as_version=4)
        # papermill injected and recorded the parameters
        assert b.metadata.papermill.parameters == {"council": "E08000009", "year": 2021}
        injected = [c for c in b.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert len(injected) == 1 and 'council = "E08000009"' in injected[0].source
        assert b.cells[-1].outputs[0]["data"]["text/plain"] == "'E08000009 2021'"
        # one kernel for both, nothing of the first notebook seen by the second, counts from 1
        assert kernel.starts == 1 and first.kernel_start > 0
        pid_a = _stdout(a).split()[0]
        assert _stdout(b).split()[0] == pid_a
        assert "leaked=False" in _stdout(a) and "leaked=False" in _stdout(b)
        assert f"cwd={tmp_path}" in _stdout(b)
        assert [c.execution_count for c in b.cells if c.cell_type == "code"] == [1, 2, 3, 4, 5]

        # a failing cell: papermill's error with the cell's exception; notebook kept; new kernel
        with pytest.raises(PapermillExecutionError) as info:
            kernel.execute(source, tmp_path / "fail.ipynb", {"council": "FAIL", "year": 2020})
        assert info.value.ename == "ValueError" and info.value.evalue == "no organisation matches FAIL"
        assert info.value.exec_count == 4
        assert (tmp_path / "fail.ipynb").is_file()
        assert kernel.starts == 2

        # a notebook past its deadline is stopped, and the kernel replaced
        with pytest.raises(NotebookTimeout, match="within 2 s"):
            kernel.execute(source, tmp_path / "slow.ipynb", {"council": "SLOW", "year": 2020}, timeout=2)
        assert kernel.starts == 3
        kernel.execute(source, tmp_path / "c.ipynb", {"council": "E06000006", "year": 2020})
        c = nbformat.read(str(tmp_path / "c.ipynb"), as_version=4)
        assert "leaked=False" in _stdout(c)
