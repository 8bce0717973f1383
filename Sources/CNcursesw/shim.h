#ifndef CNCURSESW_SHIM_H
#define CNCURSESW_SHIM_H

// Wide-character ncurses: SwiftPM drops pkg-config's -D flags, so ask for the wide API here,
// before the header, or get_wch/addwstr are missing.
#define NCURSES_WIDECHAR 1
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>
#include <wchar.h>
#include <ncursesw/ncurses.h>
#include <ncursesw/term.h>

// Function-like macros and C globals are invisible (or unsafe under Swift 6) from Swift:
// each gets a small inline accessor.

static inline WINDOW *lf_stdscr(void) { return stdscr; }
static inline int lf_colors(void) { return COLORS; }
static inline int lf_color_pairs(void) { return COLOR_PAIRS; }

static inline attr_t lf_a_normal(void) { return A_NORMAL; }
static inline attr_t lf_a_bold(void) { return A_BOLD; }
static inline attr_t lf_a_underline(void) { return A_UNDERLINE; }
static inline attr_t lf_a_reverse(void) { return A_REVERSE; }
static inline attr_t lf_a_dim(void) { return A_DIM; }
static inline attr_t lf_color_pair(int n) { return (attr_t)COLOR_PAIR(n); }

static inline int lf_key_f(int n) { return KEY_F(n); }
static inline int lf_key_code_yes(void) { return KEY_CODE_YES; }

static inline void lf_getmaxyx(WINDOW *w, int *y, int *x) { int yy, xx; getmaxyx(w, yy, xx); *y = yy; *x = xx; }

static inline int lf_get_wch(wint_t *ch) { return wget_wch(stdscr, ch); }
static inline int lf_attrset(attr_t a) { return wattrset(stdscr, (int)a); }
static inline int lf_mvaddstr(int y, int x, const char *s) { return mvwaddstr(stdscr, y, x, s); }
static inline int lf_mvaddch(int y, int x, chtype ch) { return mvwaddch(stdscr, y, x, ch); }

// The terminal's own line-drawing characters (valid after initscr): 0 vertical, 1 horizontal,
// 2 top left, 3 top right, 4 bottom left, 5 bottom right corner.
static inline chtype lf_acs_line(int which) {
    switch (which) {
    case 0: return ACS_VLINE;
    case 1: return ACS_HLINE;
    case 2: return ACS_ULCORNER;
    case 3: return ACS_URCORNER;
    case 4: return ACS_LLCORNER;
    default: return ACS_LRCORNER;
    }
}
static inline void lf_timeout(int ms) { wtimeout(stdscr, ms); }
static inline int lf_keypad(bool on) { return keypad(stdscr, on); }
static inline int lf_erase(void) { return werase(stdscr); }
static inline int lf_refresh(void) { return wrefresh(stdscr); }
static inline int lf_curs_set(int v) { return curs_set(v); }

// Mouse: wheel buttons and press/click masks (macros in the header).
static inline mmask_t lf_mouse_mask_wanted(void) {
#if NCURSES_MOUSE_VERSION > 1
    return BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED;
#else
    return BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED;
#endif
}
static inline int lf_mousemask(mmask_t m) { return (int)mousemask(m, NULL); }
/// Reads the pending mouse event: returns 0 on success and fills kind (1 click, 2 wheel up, 3 wheel down), x, y.
static inline int lf_getmouse(int *kind, int *x, int *y) {
    MEVENT ev;
    if (getmouse(&ev) != OK) return -1;
    *x = ev.x; *y = ev.y; *kind = 0;
    if (ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)) *kind = 1;
    else if (ev.bstate & BUTTON4_PRESSED) *kind = 2;
#if NCURSES_MOUSE_VERSION > 1
    else if (ev.bstate & BUTTON5_PRESSED) *kind = 3;
#endif
    return 0;
}

// Signals: the handler only records the signal; the input loop (polling every 50 ms) restores the
// terminal and exits, so no curses call runs inside a signal handler.
static volatile sig_atomic_t lf_pending_signal = 0;
static inline void lf_signal_handler(int sig) { lf_pending_signal = sig; }
static inline void lf_install_signal_handlers(void) {
    // A parent may have left these blocked (threads of test runners do): unblock them, or
    // Ctrl-C, kill and hang-ups would never reach us.
    sigset_t wanted;
    sigemptyset(&wanted);
    sigaddset(&wanted, SIGINT);
    sigaddset(&wanted, SIGTERM);
    sigaddset(&wanted, SIGHUP);
    pthread_sigmask(SIG_UNBLOCK, &wanted, NULL);
    struct sigaction sa;
    sa.sa_handler = lf_signal_handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; // no SA_RESTART: a blocked get_wch returns so the loop sees the flag at once
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}
static inline int lf_take_pending_signal(void) { int s = lf_pending_signal; lf_pending_signal = 0; return s; }

/// True when the terminal is gone (its pty hung up): input polls then return at once forever.
static inline int lf_terminal_hung_up(void) {
    struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN, .revents = 0 };
    if (poll(&p, 1, 0) < 0) return 0;
    return (p.revents & (POLLHUP | POLLERR | POLLNVAL)) != 0;
}

static inline void lf_setlocale_all(void) { setlocale(LC_ALL, ""); }

/// Sets the locale from the environment and tells whether its character set is UTF-8.
static inline int lf_locale_is_utf8(void) {
    setlocale(LC_ALL, "");
    const char *codeset = nl_langinfo(CODESET);
    return codeset != NULL && (strcasecmp(codeset, "UTF-8") == 0 || strcasecmp(codeset, "UTF8") == 0);
}

/// Whether $TERM can run a full-screen program, checked without touching the screen (before initscr):
/// 0 yes, 1 TERM unset or empty, 2 unknown to terminfo, 3 no terminfo database, 4 hardcopy,
/// 5 no cursor addressing (`cup`), as TERM=dumb.
static inline int lf_terminal_check(void) {
    const char *term = getenv("TERM");
    if (term == NULL || *term == '\0') return 1;
    int err = 0;
    if (setupterm(term, STDOUT_FILENO, &err) != OK) {
        return err == 1 ? 4 : (err == -1 ? 3 : 2);
    }
    const char *cup = tigetstr("cup");
    int result = (cup == NULL || cup == (char *)-1) ? 5 : 0;
    del_curterm(cur_term); // initscr loads its own
    return result;
}

#endif
