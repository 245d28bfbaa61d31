;;; test.el --- Batch test of rose-mode and eglot against `rose lsp' -*- lexical-binding: t -*-

;; ROSE_BIN=/path/to/rose ROSE_FILE=examples/billiards.rose \
;;   emacs --batch -l editors/emacs/test.el
;;
;; (not -Q: that skips Debian's site-start, which puts the elpa-eglot
;; package on the load-path)
;;
;; Needs eglot: built in from Emacs 29; on Debian 12 (Emacs 28.2)
;; `apt-get install -y elpa-eglot' (eglot 1.9). ROSE_FILE is copied into a
;; temporary directory. Prints one JSON object to stdout and exits 0 if
;; every check passed, 1 if some failed, 2 if it could not start.

;;; Code:

(require 'package)
(require 'json)
(require 'cl-lib)

(defvar rose-test-checks nil)
(defvar rose-test-started (float-time))

(defun rose-test-finish (code &optional error)
  (let ((checks (reverse rose-test-checks)))
    (princ (json-encode
            `((emacs . ,emacs-version)
              (eglot . ,(let ((lib (and (featurep 'eglot) (locate-library "eglot"))))
                          (and lib (file-name-nondirectory (directory-file-name (file-name-directory lib))))))
              (file . ,(getenv "ROSE_FILE"))
              (ok . ,(if (= code 0) t :json-false))
              (passed . ,(cl-count-if (lambda (c) (eq (alist-get 'ok c) t)) checks))
              (failed . ,(cl-count-if (lambda (c) (not (eq (alist-get 'ok c) t))) checks))
              (total_ms . ,(round (* 1000 (- (float-time) rose-test-started))))
              ,@(and error `((error . ,error)))
              (checks . ,(vconcat checks)))))
    (terpri)
    (kill-emacs code)))

(defun rose-test-check (name ok &optional detail started)
  "Record check NAME, passed if OK, with DETAIL (an alist) and its time."
  (push `((name . ,name) (ok . ,(if ok t :json-false))
          ,@(and started `((ms . ,(round (* 1000 (- (float-time) started))))))
          ,@(and detail `((detail . ,detail))))
        rose-test-checks)
  ok)

(defun rose-test-idle ()
  "Fire the pending idle timers, as Emacs does when it waits for input.
A batch Emacs never waits for input, so without this eglot's didChange
\(sent from an idle timer, `eglot-send-changes-idle-time') and flymake's
checks after a change (`flymake-no-changes-timeout') never run."
  (dolist (tm (copy-sequence timer-idle-list))
    (when (memq tm timer-idle-list)
      (timer-event-handler tm))))

(defun rose-test-wait (pred seconds)
  "Run timers, idle timers and process output until PRED is non-nil or SECONDS pass."
  (let ((deadline (+ (float-time) seconds)) v)
    (while (and (not (setq v (funcall pred))) (< (float-time) deadline))
      (accept-process-output nil 0.05)
      (rose-test-idle))
    v))

(defun rose-test-errors ()
  "The error diagnostics flymake has in the current buffer."
  (cl-remove-if-not (lambda (d) (eq (flymake-diagnostic-type d) 'eglot-error)) (flymake-diagnostics)))

(defvar rose-test-publishes nil
  "The publishDiagnostics notifications received, newest first: (URI . ERRORS).")

(defun rose-test-record-publish (_server method &rest params)
  (when (eq method 'textDocument/publishDiagnostics)
    (push (cons (plist-get params :uri)
                (cl-count-if (lambda (d) (eql (plist-get d :severity) 1)) (plist-get params :diagnostics)))
          rose-test-publishes)))

(defun rose-test-messages ()
  "All flymake diagnostics of the current buffer, as messages."
  (vconcat (mapcar #'flymake-diagnostic-text (flymake-diagnostics))))

(defun rose-test-main ()
  (let* ((bin (getenv "ROSE_BIN"))
         (src (getenv "ROSE_FILE"))
         (here (file-name-directory (or load-file-name buffer-file-name)))
         (dir (make-temp-file "rose-emacs" t))
         (file (expand-file-name (file-name-nondirectory src) dir))
         (badfile (expand-file-name "badly_indented.rose" dir))
         original server started)
    (unless (and bin (file-executable-p bin)) (rose-test-finish 2 (format "ROSE_BIN is not an executable: %s" bin)))
    (unless (and src (file-readable-p src)) (rose-test-finish 2 (format "ROSE_FILE is not readable: %s" src)))
    (copy-file src file t)
    (setq original (with-temp-buffer (insert-file-contents src) (buffer-string)))
    (unless (locate-library "eglot") (package-initialize))
    (unless (require 'eglot nil t) (rose-test-finish 2 "eglot is not installed (Emacs 29+ has it; Debian 12: apt-get install elpa-eglot)"))
    (add-to-list 'load-path here)
    (require 'rose-mode)
    (advice-add 'eglot-handle-notification :before #'rose-test-record-publish)
    (setq rose-lsp-program bin
          ;; A generous evaluation budget: on a loaded machine the examples
          ;; can take longer than the default 250 ms, and then the server
          ;; reports an information diagnostic "evaluation stopped".
          rose-lsp-initialization-options '(:rose (:eval (:timeoutMs 5000)))
          eglot-sync-connect 10
          eglot-send-changes-idle-time 0.1
          flymake-no-changes-timeout 0.1
          eglot-events-buffer-size 0
          make-backup-files nil
          create-lockfiles nil)

    ;; Open the copy: rose-mode from auto-mode-alist, then eglot.
    (setq started (float-time))
    (find-file file)
    (rose-test-check "rose-mode from auto-mode-alist" (eq major-mode 'rose-mode) `((mode . ,(symbol-name major-mode))))
    (apply #'eglot (eglot--guess-contact))
    (setq server (rose-test-wait (lambda () (let ((s (eglot-current-server))) (and s (eglot--capabilities s) s))) 15))
    (unless (rose-test-check "eglot connected" server `((server . ,(and server (eglot--project-nickname server)))) started)
      (rose-test-finish 1))
    (let ((caps (eglot--capabilities server)))
      (rose-test-check "capabilities (hover, inlayHint)"
                       (and (plist-get caps :hoverProvider) (plist-member caps :inlayHintProvider))
                       `((inlayHintProvider . ,(if (plist-member caps :inlayHintProvider) t :json-false)))))
    (rose-test-check "eglot manages the buffer" (bound-and-true-p eglot--managed-mode))

    ;; Inlay hints: eglot 1.9 has no inlay hint display (eglot-inlay-hints-mode
    ;; is from eglot 1.13 / Emacs 29.1), so ask for them with a raw request.
    (setq started (float-time))
    (let* ((hints (jsonrpc-request server :textDocument/inlayHint
                                   `(:textDocument ,(eglot--TextDocumentIdentifier)
                                     :range (:start (:line 0 :character 0)
                                             :end ,(eglot--pos-to-lsp-position (point-max))))))
           (labels (mapcar (lambda (h) (let ((l (plist-get h :label)))
                                         (if (stringp l) l (mapconcat (lambda (p) (plist-get p :value)) l ""))))
                           hints))
           (good (cl-find-if (lambda (l) (and (string-match-p "=" l) (string-match-p "[0-9]" l))) labels)))
      (rose-test-check "inlay hints (raw request)" good `((count . ,(length labels)) (match . ,good)) started))
    (when (fboundp 'eglot-inlay-hints-mode)
      (eglot-inlay-hints-mode 1)
      (let ((shown (rose-test-wait
                    (lambda () (cl-find-if (lambda (o) (overlay-get o 'eglot--inlay-hint))
                                           (overlays-in (point-min) (point-max))))
                    10)))
        (rose-test-check "eglot-inlay-hints-mode shows overlays" shown)))

    ;; Hover through eglot's own eldoc function, at the first `fn NAME'.
    (setq started (float-time))
    (goto-char (point-min))
    (if (not (re-search-forward "^fn \\([A-Za-z_][A-Za-z0-9_]*\\)" nil t))
        (rose-test-check "found a function" nil)
      (let* ((name (match-string 1))
             (got nil))
        (goto-char (1+ (match-beginning 1)))
        (eglot-hover-eldoc-function (lambda (doc &rest _) (setq got (or doc "")) t))
        (rose-test-wait (lambda () got) 10)
        (rose-test-check "hover (eldoc) shows the signature"
                         (and (stringp got) (string-match-p (regexp-quote (concat "fn " name)) got))
                         `((name . ,name) (doc . ,(and (stringp got) (substring-no-properties got 0 (min 200 (length got))))))
                         started)
        ;; Definition through xref, from the first call of NAME elsewhere.
        (let ((decl (line-number-at-pos)))
          (goto-char (point-min))
          (when (re-search-forward (concat "[^A-Za-z0-9_ ]\\s-*\\(" (regexp-quote name) "\\)(") nil t)
            (goto-char (match-beginning 1))
            (let* ((xrefs (xref-backend-definitions (xref-find-backend) (xref-backend-identifier-at-point (xref-find-backend))))
                   (loc (and xrefs (xref-item-location (car xrefs))))
                   (line (and loc (xref-location-line loc))))
              (rose-test-check "definition (xref)" (equal line decl) `((from . ,(line-number-at-pos)) (to . ,line))))))))

    ;; Completion through eglot's completion-at-point function.
    (setq started (float-time))
    (goto-char (point-min))
    (re-search-forward "^fn .*{$")
    (forward-line 1)
    (back-to-indentation)
    (let* ((capf (eglot-completion-at-point))
           (items (and capf (all-completions "" (nth 2 capf)))))
      (rose-test-check "completion (capf)" (> (length items) 0)
                       `((count . ,(length items)) (some . ,(vconcat (seq-take items 5)))) started))

    ;; Diagnostics through flymake: none at first; an error after an edit;
    ;; none after the edit is undone.
    (setq started (float-time))
    (rose-test-check "flymake runs eglot's backend"
                     (rose-test-wait (lambda () (memq 'eglot-flymake-backend (flymake-reporting-backends))) 10)
                     `((running . ,(vconcat (mapcar #'symbol-name (flymake-running-backends))))))
    (rose-test-wait (lambda () nil) 0.3)
    (rose-test-check "no errors initially" (null (rose-test-errors)) `((messages . ,(rose-test-messages))))
    (goto-char (point-max))
    (undo-boundary)
    (insert "fn (((\n")
    (undo-boundary)
    (let ((got (rose-test-wait #'rose-test-errors 10)))
      (rose-test-check "flymake error after an edit" got
                       `((line . ,(and got (line-number-at-pos (flymake-diagnostic-beg (car got)))))
                         (messages . ,(rose-test-messages))) started))
    ;; Undoing deletes the text that flymake's overlay covered, so the
    ;; overlay goes at once: wait for the server's next publish too.
    (setq started (float-time))
    (let ((seen (length rose-test-publishes)))
      (primitive-undo 1 (cdr buffer-undo-list))
      (rose-test-check "undo restored the text" (equal (buffer-string) original))
      (let ((fresh (rose-test-wait (lambda () (and (> (length rose-test-publishes) seen)
                                                   (eql (cdar rose-test-publishes) 0)))
                                   10)))
        (rose-test-check "server publishes no errors after undo; flymake has none"
                         (and fresh (null (rose-test-errors)))
                         `((publishes . ,(- (length rose-test-publishes) seen)) (messages . ,(rose-test-messages)))
                         started)))

    ;; Formatting: the file as shipped, then a badly indented copy, which
    ;; eglot-format-buffer must turn into the same text.
    (setq started (float-time))
    (let ((err (condition-case e (progn (eglot-format-buffer) nil) (error (error-message-string e)))))
      (rose-test-check "eglot-format-buffer" (null err) `((error . ,err)) started))
    (let ((canonical (buffer-string)))
      (with-temp-file badfile
        (insert original)
        (goto-char (point-min))
        (while (not (eobp))
          (delete-horizontal-space)
          (when (cl-evenp (line-number-at-pos)) (insert "       "))
          (forward-line 1)))
      (setq started (float-time))
      (find-file badfile)
      (eglot-ensure)
      (rose-test-wait (lambda () (bound-and-true-p eglot--managed-mode)) 10)
      (let ((before (buffer-string))
            (err (condition-case e (progn (eglot-format-buffer) nil) (error (error-message-string e)))))
        (rose-test-check "eglot-format-buffer on a badly indented copy"
                         (and (null err) (not (equal before (buffer-string))) (equal (buffer-string) canonical))
                         `((error . ,err) (changed . ,(if (equal before (buffer-string)) :json-false t))
                           (same_as_formatted_original . ,(if (equal (buffer-string) canonical) t :json-false)))
                         started)))

    ;; Shut down.
    (setq started (float-time))
    (let ((err (condition-case e (progn (eglot-shutdown server) nil) (error (error-message-string e)))))
      (rose-test-check "shutdown" (and (null err) (not (process-live-p (jsonrpc--process server)))) `((error . ,err)) started))
    (rose-test-finish (if (cl-every (lambda (c) (eq (alist-get 'ok c) t)) rose-test-checks) 0 1))))

(condition-case e
    (rose-test-main)
  (error (rose-test-finish 2 (error-message-string e))))

;;; test.el ends here
