import typer

app = typer.Typer()


@app.command()
def hello() -> None:
    """Say hello from the plug-in."""
    typer.echo("hello from the plug-in")
