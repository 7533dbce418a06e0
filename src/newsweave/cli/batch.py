"""The ``batch`` command: an archive through clean, reuse and stories on several workers."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from newsweave.batch import Executor, LocalExecutor
from newsweave.cli import Context, cli, echo_json
from newsweave.cli.articles import Progress, _check_stages, _tty, stages_option


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--engine", "engine_name", type=click.Choice(["local", "dask"]), default=None,
              help="Where the per-article work and the alignment run: this process, or Dask "
                   "workers. [default: dask with --scheduler or --workers, else local]")
@click.option("--scheduler", metavar="ADDRESS",
              help="A running Dask scheduler (tcp://host:8786): the work runs on its workers.")
@click.option("--workers", type=click.IntRange(min=1), metavar="N",
              help="A local Dask cluster of N single-threaded worker processes [default 2].")
@click.option("--files-per-partition", type=click.IntRange(min=1), default=1,
              show_default=True, help="Input files read and cleaned by one task.")
@stages_option("clean,reuse,stories")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
@click.pass_obj
def batch(obj: Context, paths: tuple[str, ...], engine_name: str | None, scheduler: str | None,
          workers: int | None, files_per_partition: int, stages: list[str] | None,
          as_json: bool, quiet: bool) -> None:
    """Ingest an archive with the per-article work spread over workers.

    Reading, cleaning, MinHash signatures and the alignment of candidate pairs run in
    partitions on the workers; near-duplicates are joined by a shuffle by LSH band; the
    order-dependent steps (provenance graph, origins, stories) run after, here, and the
    results are written to the store in bulk. The result is the one `ingest` gives
    (embeddings off in the reuse stage). Default stages: clean,reuse,stories.

    \b
    Examples:
      newsweave --db archive.db batch shards/ --workers 2
      newsweave --db archive.db batch /shared/shards --scheduler tcp://10.0.0.5:8786
    """
    if scheduler and workers:
        raise click.UsageError("give --scheduler (a running cluster) or --workers (a local "
                               "one), not both")
    if engine_name == "local" and (scheduler or workers):
        raise click.UsageError("--scheduler and --workers need --engine dask")
    use_dask = engine_name == "dask" or bool(scheduler or workers)
    progress = Progress(sys.stderr, enabled=not quiet and not (as_json and not _tty()))
    from newsweave.batch.archive import run_batch

    with obj.engine() as engine:
        _check_stages(engine, stages)
        with _executor(use_dask, scheduler, workers or 2) as executor:
            result = run_batch(engine, paths, executor, stages=stages,
                               files_per_partition=files_per_partition, progress=progress)
        failed = len(engine.store.stage_errors())
    progress.close()
    report = result.report
    if as_json:
        echo_json(result.to_dict())
    else:
        for rejection in report.rejected:
            click.echo(f"rejected: {rejection}", err=True)
        counts = ", ".join(f"{name}: {count} analysed" for name, count in result.analysed.items())
        click.echo(f"{len(report.new)} new, {len(report.known)} already known, "
                   f"{len(report.rejected)} rejected; {counts}; {result.pairs_aligned} pairs "
                   f"aligned (store: {engine.store.path})")
    if failed and not quiet:
        click.echo(f"{failed} stage error(s) stored: they are retried by the next run "
                   f"(see newsweave check)", err=True)
    if report.rejected:
        sys.exit(1)


@contextmanager
def _executor(use_dask: bool, scheduler: str | None, workers: int) -> Iterator[Executor]:
    if not use_dask:
        yield LocalExecutor()
        return
    try:
        if scheduler:
            from newsweave.batch.on_dask import cluster_executor

            context = cluster_executor(scheduler)
        else:
            from newsweave.batch.on_dask import local_executor

            context = local_executor(workers)
        with context as executor:
            yield executor
    except ImportError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:  # the scheduler cannot be reached
        raise click.ClickException(f"Dask scheduler {scheduler}: {exc}") from None
