/**
 * Held-out customer messages for the sample pt-BR knowledge base: none of them is one of the
 * KB's examples or FAQ questions. `faq` is the start of the FAQ question the answer must come
 * from, set only where an FAQ entry clearly answers the message (a list when two entries
 * answer it equally well).
 */
export interface RoutingCase {
  text: string
  department: 'suporte' | 'financeiro' | 'comercial' | 'cancelamento'
  faq?: string | string[]
}

export const ROUTING_CASES: RoutingCase[] = [
  // suporte
  { text: 'boa tarde, minha internet está super lenta desde ontem', department: 'suporte', faq: 'Minha internet está lenta' },
  { text: 'a internet ta lentaaa demais, nao carrega nada', department: 'suporte', faq: 'Minha internet está lenta' },
  { text: 'estou sem conexão nenhuma aqui, já reiniciei tudo', department: 'suporte', faq: 'Estou sem internet' },
  { text: 'fiquei sem internet do nada', department: 'suporte', faq: 'Estou sem internet' },
  { text: 'como faço pra mudar a senha do wifi?', department: 'suporte', faq: 'Como troco a senha do Wi-Fi' },
  { text: 'esqueci a senha do wi fi, como altero?', department: 'suporte', faq: 'Como troco a senha do Wi-Fi' },
  { text: 'tem uma luz vermelha acesa no aparelho da fibra', department: 'suporte', faq: 'A luz vermelha' },
  { text: 'a conexão cai toda hora, fica oscilando o dia inteiro', department: 'suporte', faq: 'A internet fica caindo' },
  { text: 'o wifi não chega no quarto dos fundos', department: 'suporte', faq: 'O sinal do Wi-Fi não chega' },
  { text: 'quero agendar um técnico pra olhar meu roteador', department: 'suporte', faq: 'Como agendar uma visita técnica' },
  { text: 'meu jogo online ta com lag e o youtube fica carregando', department: 'suporte' },
  { text: 'conexao muito instavel hj', department: 'suporte' },
  // financeiro
  { text: 'me envia a 2 via da fatura pfv', department: 'financeiro', faq: 'Como tirar a segunda via' },
  { text: 'preciso do boleto atualizado pra pagar hoje', department: 'financeiro', faq: 'Como tirar a segunda via' },
  { text: 'da pra pagar por pix? qual a chave?', department: 'financeiro', faq: 'Posso pagar a fatura com PIX' },
  { text: 'fiz o pagamento ontem e a internet ainda ta bloqueada', department: 'financeiro', faq: 'Já paguei' },
  { text: 'gostaria de trocar o dia do vencimento da minha fatura', department: 'financeiro', faq: 'Como mudar a data de vencimento' },
  { text: 'por que a minha fatura veio mais cara esse mês?', department: 'financeiro', faq: 'Por que minha fatura veio' },
  { text: 'se eu pagar com atraso tem juros?', department: 'financeiro', faq: 'Tem juros e multa por atraso' },
  { text: 'quero colocar a conta no débito automático do itaú', department: 'financeiro', faq: 'Como cadastrar o débito automático' },
  { text: 'onde pego a nota fiscal?', department: 'financeiro', faq: 'Como conseguir a nota fiscal' },
  { text: 'o boleto desse mes nao chegou no meu email', department: 'financeiro' },
  // comercial
  { text: 'quais os planos de internet e os preços?', department: 'comercial', faq: 'Quais são os planos' },
  { text: 'queria saber o valor dos planos de fibra', department: 'comercial', faq: 'Quais são os planos' },
  { text: 'vcs tem cobertura na rua das flores 120?', department: 'comercial', faq: 'Como contratar a internet' },
  { text: 'quero fazer upgrade pro plano de 1 giga', department: 'comercial', faq: 'Quero aumentar a velocidade' },
  { text: 'estou mudando de casa mês que vem, como transfiro a internet?', department: 'comercial', faq: 'Vou me mudar' },
  { text: 'tem plano pra empresa com ip fixo?', department: 'comercial', faq: 'Vocês têm plano empresarial' },
  { text: 'vcs tem pacote com tv a cabo?', department: 'comercial', faq: 'Tem TV ou telefone' },
  { text: 'quanto é a taxa de instalacao', department: 'comercial', faq: 'Quanto custa a instalação' },
  { text: 'quero assinar a internet de vcs', department: 'comercial' },
  // cancelamento
  { text: 'quero cancelar meu plano', department: 'cancelamento', faq: 'Como cancelar a internet' },
  { text: 'gostaria de solicitar o cancelamento do serviço', department: 'cancelamento', faq: 'Como cancelar a internet' },
  { text: 'se eu cancelar agora pago multa? ainda to na fidelidade', department: 'cancelamento', faq: ['Tem multa para cancelar', 'Vou mudar de operadora'] },
  { text: 'cancelei, onde entrego o equipamento?', department: 'cancelamento', faq: 'Como devolver o roteador' },
  { text: 'vou viajar 2 meses, posso pausar a internet?', department: 'cancelamento', faq: 'Posso suspender a internet' },
  { text: 'vou trocar pra outra operadora, tenho que pagar multa?', department: 'cancelamento', faq: 'Vou mudar de operadora' },
  { text: 'nao quero mais a internet de vcs, como encerro?', department: 'cancelamento' },
  { text: 'quero cancelar essa porcaria', department: 'cancelamento' },
  // typos and missing accents
  { text: 'minha internete ta muito lenda', department: 'suporte', faq: 'Minha internet está lenta' },
  { text: 'segunda via do boelto', department: 'financeiro', faq: 'Como tirar a segunda via' },
  { text: 'quero cancelr o contrato', department: 'cancelamento' },
]
