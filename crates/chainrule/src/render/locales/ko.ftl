# chainrule의 한국어 문구. en.ftl과 같은 key를 가진다.
# 용어는 튜토리얼을 따른다: 순전파(forward), 역전파(backpropagation),
# 편미분(partial derivative), 연쇄 법칙(chain rule), 학습률(lr).

## explain: 유도 과정의 각 부분
explain-inputs = 입력 데이터와 파라미터
explain-forward = 순전파 (forward)
explain-locals = 각 node에서의 편미분 (local partial derivative)
explain-backward = 역전파, node별: ∂{ $root }/∂v = Σ (v를 입력으로 쓰는 node c마다) ∂{ $root }/∂c · ∂c/∂v
explain-chain = 연쇄 법칙 (chain rule): { $root }에서 각 파라미터까지의 경로 전체
explain-update = 파라미터 업데이트 (lr: 학습률)
explain-mean-note = J는 loss들의 평균을 구하는 node이다: J = (L⁽¹⁾ + … + L⁽ᵏ⁾)/k, k = { $k }, 따라서 ∂J/∂L⁽ⁱ⁾ = 1/k.
steps-table = 단계별 θ와 { $root }
steps-step = 단계
steps-after = 업데이트 후 { $name }

## 단계 제목
title-model = { $equation } · { $mode } 모드 · { $rows }
rows-one = { $source }의 { $row }행
rows-range = { $source }의 { $first }–{ $last }행
source-flags = 명령줄에서 준 값
source-tutorial = 튜토리얼 예제
title-program = 프로그램 { $name }
title-step = { $title } · { $n }단계 중 { $k }단계

## 그래프 그림
node-param = 파라미터
node-input = 데이터
node-constant = 상수
node-value = 값 { $value }
node-no-grad = 기울기 없음

## HTML 보고서
report-sub = Linear Regression을 위한 Backpropagation을 한 단계씩 따라간다: 아래의 모든 숫자는 chainrule의 계산 그래프에서 순전파와 역전파를 실제로 계산한 값이다.
report-nav = 목차
report-start = « 처음
report-start-title = 처음으로 돌아가기
report-back = ◀ 이전
report-back-title = 한 단계 뒤로 (← 키)
report-play = ▶ 재생
report-pause = ❚❚ 멈춤
report-play-title = 재생 / 멈춤 (스페이스)
report-step = 다음 ▶
report-step-title = 한 단계 앞으로 (→ 키)
report-keys = 키보드: ← → 한 단계씩, 스페이스 재생 / 멈춤. 주소(#섹션/k)가 현재 단계를 따라간다.
report-caption-start = 다음 ▶ (또는 재생)을 누르면 순전파, 역전파, 파라미터 업데이트를 차례로 보여 주고 다음 단계로 넘어간다.
report-counter-start = 시작
report-counter = { $steps }단계 중 { $step }단계 · { $phase } { $k } / { $n }
report-phase-forward = 순전파
report-phase-backward = 역전파
report-phase-update = 업데이트
report-inputs = 입력 데이터와 파라미터: { $values }
report-updated = { $name } ← { $value }
report-meta = { $step }. { $mode } 모드로 학습: { $epochs } epoch, batch { $batch }로 { $steps }번 업데이트, 학습률 { $lr }; 최종 θ는 { $theta }.
report-derivation = 숫자로 따라가는 연쇄 법칙
report-training = 학습 과정
report-hint = 옆으로 밀어서 그래프 전체를 볼 수 있다.
report-graph-label = 계산 그래프
report-lessons = chainrule — 튜토리얼의 예제와 아홉 가지 수업
report-tutorial = 튜토리얼의 예제: y = θ·x, sample 하나

## 그래프(plot)
plot-j-epoch = epoch별 J
plot-epoch = epoch
plot-j-epoch-mean = J (epoch 평균)
plot-j-step = 업데이트별 J
plot-step = 업데이트
plot-j-batch = J (mini-batch)
plot-data-fit = 데이터와 학습된 직선
plot-fit = 예측 y = z1
plot-data = 데이터
plot-predicted-actual = 예측값과 실제값
plot-actual = 실제 { $y }
plot-predicted = 예측 z1
plot-perfect = 완벽한 예측
plot-rows = 행
plot-parabola = J({ $name })와 경사 하강법의 각 단계
plot-j-all = J (전체 데이터)
plot-theta-epoch = epoch마다의 θ
plot-contours = J({ $a }, { $b })의 등고선과 θ의 경로
plot-sampled = 전체 { $n }행 중 { $shown }행을 고르게 뽑아 그림

## 수업용 명령의 --help 요약
help-demo = 내장 데이터로 하는 아홉 가지 수업: 세 가지 model × 세 가지 방식
help-explain = Backpropagation을 한 단계씩 풀어 쓴다: 각 node의 값, 편미분, 기호와 숫자로 쓴 연쇄 법칙, 파라미터 업데이트 θ ← θ − lr·∂J/∂θ
help-grad = 수식으로 쓴 작은 프로그램을 backpropagation으로 미분한다 (문법은 옵션 목록 아래에 나온다)
help-graph = 한 단계의 계산 그래프를 그린다: DOT, Mermaid, SVG
help-report = HTML 보고서 한 파일을 만든다: 그래프 재생기, 유도 과정, 학습 그래프
