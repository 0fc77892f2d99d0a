// How user text appears inside a message or a '#' line: as it was typed where that is safe,
// escaped where it could break a line or take over a terminal.
#pragma once
#include <string>

namespace gs {

// A value the user gave (a flag, a key, a token of a link): at most its first 80 bytes (cut at
// a character boundary) and then "... (N bytes)", so that a 100 KB value does not flood the
// terminal. Escaped as shown_text says.
std::string excerpt(const std::string& text);

// A file path: whole, however deep the folder (up to PATH_MAX, 4096 bytes, the longest path the
// system opens), escaped as shown_text says, so that a message still names the file it read.
std::string path_text(const std::string& path);

// Every byte of `text` as it is, except what could break a line or act on a terminal: \r, \n,
// \t and \\ as those two-character escapes; other control characters (C0, DEL, C1), the Unicode
// line and paragraph separators, the bidirectional overrides, and bytes that are not valid UTF-8
// as \xNN per byte. Valid UTF-8 letters ("perché", "Università") are printed as they are.
std::string shown_text(const std::string& text);

}  // namespace gs
