;;; rose-mode.el --- Major mode for Rose (.rose) files, with eglot -*- lexical-binding: t -*-

;; A minimal major mode for Rose, the language of differentiable
;; functions: syntax table (// comments), font lock (keywords from
;; grammar/grammar.go, types, builtins, numbers), indentation by braces,
;; and an `eglot-server-programs' entry for `rose lsp'.
;;
;; Set-up (Emacs 28 with the eglot package, or Emacs 29+ where eglot is
;; built in):
;;
;;   (add-to-list 'load-path "/path/to/rose/editors/emacs")
;;   (require 'rose-mode)
;;   (add-hook 'rose-mode-hook #'eglot-ensure)   ; start the server on open
;;
;; `rose-lsp-program' names the rose binary (default "rose", on PATH).

;;; Code:

(defgroup rose nil
  "Rose, a language for differentiable functions."
  :group 'languages)

(defcustom rose-lsp-program "rose"
  "The rose binary; eglot runs it as `rose lsp'."
  :type 'string)

(defcustom rose-lsp-initialization-options
  '(:rose (:eval (:timeoutMs 250 :maxMemoryMB 256)
           :inlay (:exampleValues t :parameterGradients t :liveValues :json-false)))
  "Settings sent to `rose lsp' as initializationOptions (a JSON plist)."
  :type 'sexp)

(defcustom rose-indent-offset 4
  "Indentation of a block in Rose, in columns (what `rose fmt' uses)."
  :type 'integer)

(defconst rose-keywords
  '("fn" "const" "type" "struct" "example" "let" "var" "if" "else"
    "for" "in" "true" "false" "while" "test" "assert"))

(defconst rose-builtins
  '("sqrt" "exp" "log" "sin" "cos" "tan" "asin" "acos" "atan" "sinh" "cosh"
    "tanh" "floor" "ceil" "round" "sign" "abs" "pow" "atan2" "min" "max" "sum"
    "prod" "real" "int" "len" "dot" "norm" "lgamma" "log1p" "expm1" "erf"
    "cbrt" "hypot" "band" "bor" "bxor" "shl" "shr" "clamp"))

(defvar rose-mode-syntax-table
  (let ((st (make-syntax-table)))
    (modify-syntax-entry ?/ ". 12" st)
    (modify-syntax-entry ?\n ">" st)
    (modify-syntax-entry ?_ "_" st)
    (modify-syntax-entry ?' "." st)
    (modify-syntax-entry ?\" "." st)
    st)
  "Syntax table for `rose-mode': `//' comments to the end of the line.")

(defvar rose-font-lock-keywords
  `((,(regexp-opt '("true" "false") 'symbols) . font-lock-constant-face)
    (,(regexp-opt rose-keywords 'symbols) . font-lock-keyword-face)
    (,(regexp-opt '("Real" "Int" "Bool") 'symbols) . font-lock-type-face)
    ("\\_<\\(?:fn\\|struct\\|type\\)\\s-+\\([A-Za-z_][A-Za-z0-9_]*\\)" 1 font-lock-function-name-face)
    (,(concat (regexp-opt rose-builtins 'symbols) "\\s-*(") 1 font-lock-builtin-face)
    ("\\_<[0-9]+\\(?:\\.[0-9]+\\)?\\(?:[eE][-+]?[0-9]+\\)?\\_>" . font-lock-constant-face))
  "Font lock for `rose-mode'.")

(defun rose-indent-line ()
  "Indent the current line by the depth of brackets around it."
  (interactive)
  (let ((depth (save-excursion
                 (beginning-of-line)
                 (let ((d (car (syntax-ppss))))
                   (skip-chars-forward " \t")
                   (if (looking-at "[]})]") (max 0 (1- d)) d)))))
    (if (<= (current-column) (current-indentation))
        (indent-line-to (* depth rose-indent-offset))
      (save-excursion (indent-line-to (* depth rose-indent-offset))))))

;;;###autoload
(define-derived-mode rose-mode prog-mode "Rose"
  "Major mode for Rose, a language for differentiable functions."
  :syntax-table rose-mode-syntax-table
  (setq-local comment-start "// ")
  (setq-local comment-start-skip "//+\\s-*")
  (setq-local comment-end "")
  (setq-local indent-tabs-mode nil)
  (setq-local indent-line-function #'rose-indent-line)
  (setq-local font-lock-defaults '(rose-font-lock-keywords)))

;;;###autoload
(add-to-list 'auto-mode-alist '("\\.rose\\'" . rose-mode))

(defun rose-eglot-contact (&optional _interactive)
  "The eglot contact for `rose lsp': program, args and initializationOptions."
  (list rose-lsp-program "lsp" :initializationOptions rose-lsp-initialization-options))

(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs '(rose-mode . rose-eglot-contact)))

(provide 'rose-mode)
;;; rose-mode.el ends here
