"""What a command runs through something else: package scripts, make, just, script files, inline code, tools'
embedded commands."""
