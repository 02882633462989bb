"""One module per `rehearse` command. Each has `add_parser(commands, parents)`, which registers its
flags and sets `run`: a function of (context, args) returning the exit status, or a coroutine."""

COMMAND_MODULES = ("app", "session", "resume", "history", "delete", "export", "import_session", "doctor", "model", "persona", "eval", "serve", "completion")
