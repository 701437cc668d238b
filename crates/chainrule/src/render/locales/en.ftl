# chainrule's words in English. One message per thing a learner reads;
# ko.ftl has the same keys. Placeables: { $name }.

## explain: the derivation's sections
explain-inputs = inputs and parameters
explain-forward = forward
explain-locals = local partials
explain-backward = backward, node by node: ∂{ $root }/∂v = Σ over the nodes c that read v of ∂{ $root }/∂c · ∂c/∂v
explain-chain = chain rule, whole paths from { $root } to each parameter
explain-update = update (lr: the learning rate)
explain-mean-note = J is the mean node: J = (L⁽¹⁾ + … + L⁽ᵏ⁾)/k with k = { $k }, so ∂J/∂L⁽ⁱ⁾ = 1/k.
steps-table = θ and { $root }, step by step
steps-step = step
steps-after = { $name } after

## step titles
title-model = { $equation } · mode { $mode } · { $rows }
rows-one = row { $row } of { $source }
rows-range = rows { $first }–{ $last } of { $source }
source-flags = the flags
source-tutorial = the tutorial's example
title-program = program { $name }
title-step = { $title } · step { $k } of { $n }

## graph drawings
node-param = param
node-input = input
node-constant = constant
node-value = value { $value }
node-no-grad = no gradient

## the HTML report
report-sub = Backpropagation for linear regression, step by step: every number below comes from forward and backward passes through chainrule's computational graph.
report-nav = sections
report-start = « start
report-start-title = back to the start
report-back = ◀ back
report-back-title = one step back (key ←)
report-play = ▶ play
report-pause = ❚❚ pause
report-play-title = play / pause (space)
report-step = step ▶
report-step-title = one step forward (key →)
report-keys = Keys: ← → one step, space play / pause. The address (#section/k) follows the player.
report-caption-start = Press step ▶ (or play) to run the forward pass, the backward pass and the update, then the next step.
report-counter-start = start
report-counter = step { $step } of { $steps } · { $phase } { $k } / { $n }
report-phase-forward = forward
report-phase-backward = backward
report-phase-update = update
report-inputs = inputs and parameters: { $values }
report-updated = { $name } ← { $value }
report-meta = { $step }. Trained in mode { $mode }: { $epochs } epochs, { $steps } steps of batch { $batch }, lr { $lr }; θ ends at { $theta }.
report-derivation = The chain rule, with numbers
report-training = Training
report-hint = Swipe sideways to see the whole graph.
report-graph-label = computational graph
report-lessons = chainrule — the tutorial's example and the nine lessons
report-tutorial = the tutorial's example: y = θ·x, one sample

## plots
plot-j-epoch = J by epoch
plot-epoch = epoch
plot-j-epoch-mean = J (epoch mean)
plot-j-step = J by step
plot-step = step
plot-j-batch = J (batch)
plot-data-fit = data and the fitted line
plot-fit = fit y = z1
plot-data = data
plot-predicted-actual = predicted vs actual
plot-actual = actual { $y }
plot-predicted = predicted z1
plot-perfect = perfect fit
plot-rows = rows
plot-parabola = J({ $name }) and the gradient-descent steps
plot-j-all = J (all rows)
plot-theta-epoch = θ after each epoch
plot-contours = contours of J({ $a }, { $b }) and the path of θ
plot-sampled = { $shown } of { $n } rows drawn (an even sample)

## --help summaries of the teaching commands
help-demo = The nine lessons on built-in data: three models × three modes
help-explain = Backpropagation written out step by step: values, local partials, the chain rule in symbols and numbers, the update θ ← θ − lr·∂J/∂θ
help-grad = Differentiate a small program of formulas by backpropagation (the syntax is printed below the options)
help-graph = Draw the computational graph of a step: DOT, Mermaid or SVG
help-report = Write a self-contained HTML report: graph player, derivation, plots
