from taimen.cli import build_parser


def test_cli_lists_read_command() -> None:
    parser = build_parser()
    assert "read" in parser.format_help()
