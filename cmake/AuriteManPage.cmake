# cmake -DAURITE=<program> -DOUTPUT=<file.1.gz> -DVERSION=<x.y.z> -P AuriteManPage.cmake
# Writes the aurite(1) manual page: `aurite --help`, verbatim, in a man page's frame.
execute_process(COMMAND ${AURITE} --help OUTPUT_VARIABLE help RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${AURITE} --help failed (${status})")
endif()
# roff: a backslash is written \e, and a line starting with . or ' is protected by \&.
string(REPLACE "\\" "\\e" help "${help}")
string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" help "${help}")
string(REGEX REPLACE "\\.gz$" "" page ${OUTPUT})
file(WRITE ${page} ".TH AURITE 1 \"\" \"aurite ${VERSION}\" \"User Commands\"
.SH NAME
aurite \\- run LLM agents with tools from MCP servers
.SH SYNOPSIS
.B aurite
[\\fIOPTIONS\\fR] \\fICOMMAND\\fR ...
.SH DESCRIPTION
Runs agents, workflows and custom workflows defined in a JSON project file, with tools
from MCP servers; configurations and conversation history optionally in SQLite or
PostgreSQL. Each command has its own help: \\fBaurite\\fR \\fICOMMAND\\fR \\fB--help\\fR.
An example project is in /usr/share/aurite/examples/demo.
.SH OPTIONS AND COMMANDS
.nf
${help}.fi
.SH SEE ALSO
The README of the project, and docs/openapi.json for the HTTP API of \\fBaurite serve\\fR.
")
execute_process(COMMAND gzip -9nf ${page} RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "gzip ${page} failed (${status})")
endif()
