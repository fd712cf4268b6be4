"""The command model: a Bash command line becomes the simple commands that would run (entry point:
parse.parse_command)."""
