import type { Language } from './types.js'

/**
 * What customers of small Brazilian businesses write about, grouped by need: a word names
 * its concepts, so "cadê minha encomenda" meets a department whose five examples only say
 * "pedido" and "rastreio". A knowledge base of five examples per department shares few
 * words with real messages; the concepts are the bridge (decision 0021).
 *
 * Written from general customer-service vocabulary (telecom, retail, health, services),
 * not from any one knowledge base. A concept only helps a department whose own texts use
 * one of its words: the router weighs it by how few departments do.
 */
const PT_CONCEPTS: Record<string, string> = {
  pay: `pagar pago paguei pagamento pagamentos pagando pague pix boleto boletos fatura faturas cartao credito
    debito parcela parcelas parcelar parcelado parcelamento vezes juros multa vencimento vencido venceu
    mensalidade cobranca cobrancas cobrado cobrada cobraram cobrar cobrando estorno estornar reembolso
    reembolsar dinheiro desconto cupom compensar compensou quitar quitacao divida negociar loterica
    transferencia deposito comprovante aprovado recusado gerado gerar expirou vale presente`,
  invoice: 'nota notas fiscal fiscais recibo recibos comprovante comprovantes cnpj cpf imposto declaracao extrato',
  price: 'preco precos custa custo custam valor valores quanto quanta barato caro orcamento tabela taxa taxas gratis',
  schedule: `marcar marcacao agendar agendamento agenda horario horarios remarcar reagendar desmarcar encaixe vaga
    vagas disponibilidade dia dias data hora horas amanha semana sabado consulta consultas retorno atrasar atraso`,
  cancel: `cancelar cancelamento cancelado cancela cancelo cancelei encerrar encerramento rescindir rescisao
    desistir desisti distrato sair suspender suspensao pausar fidelidade multa portabilidade operadora`,
  delivery: `entrega entregar entregou entregue entregador pedido pedidos rastreio rastrear rastreamento correio
    correios transportadora envio enviar enviado enviaram despachar despachado despacharam frete chegou chegar
    chega chegando encomenda prazo postado retirar retirada atrasado endereco status separacao acompanhar
    pedir pedi motoboy ifood balcao`,
  exchange: `trocar troca trocas devolver devolucao devolvo reembolso defeito defeituoso quebrado quebrada quebrou
    rachado rachada amassado estragado estragou arrependi arrependimento garantia usado diferente errado`,
  broken: `funciona funcionar funcionando parou quebrou defeito estragou queimou barulho esquenta esquentando liga
    ligar desliga travando trava falha erro problema`,
  connection: `internet wifi sinal rede conexao conectar conecta conectado desconecta desconectando lenta lento
    lentidao caiu cai caindo oscilando oscila velocidade roteador modem fibra mega giga download ping site sites
    navegar streaming`,
  product: `produto produtos cor cores tamanho tamanhos medida medidas voltagem bivolt material algodao vidro
    plastico inox litros capacidade peso modelo modelos estoque original marca tecido manual montado montagem
    acompanha vem serve cabe lavavel colecao atacado revenda quantidade unidades loja fisica lancamento
    preto branco cinza azul vermelho verde amarelo rosa bege marrom grande pequeno pequena largura altura
    comprimento metros centimetros microondas fogao inducao geladeira maquina`,
  sales: `contratar contrato assinar assinatura plano planos upgrade aumentar cliente promocao promocoes oferta
    ofertas combo pacote cobertura disponivel instalar instalacao comprar compra novo nova conhecer`,
  exam: `exame exames coleta coletar sangue urina fezes ultrassom ultrassonografia raio tomografia ressonancia
    mamografia eletrocardiograma hemograma glicemia colesterol laboratorio resultado resultados jejum preparo
    laudo biopsia`,
  healthPlan: `convenio convenios plano planos saude carteirinha guia guias autorizacao autorizar autorizada
    credenciado credenciada cobertura cobre coparticipacao operadora particular`,
  prescription: `receita receitas receitar receitou remedio remedios medicamento medicamentos atestado atestados
    laudo laudos relatorio declaracao encaminhamento dose tomar tomando efeito colateral alergia tratamento
    medico medica doutor doutora`,
  menu: `cardapio prato pratos comida almoco jantar lanche lanches pizza pizzas sabor sabores molho ingrediente
    ingredientes vegano vegana vegetariano vegetariana gluten lactose bebida bebidas suco refrigerante cerveja vinho
    sobremesa porcao porcoes marmita marmitex executivo rodizio apimentado`,
  venue: `mesa mesas reserva reservas reservar salao espaco evento eventos aniversario confraternizacao
    funcionamento abre abrem aberto aberta fecha fecham fechado feriado estacionamento acessibilidade cadeirante
    musica kids`,
  account: 'senha login cadastro conta acesso app aplicativo usuario email perfil',
  move: 'mudanca mudando endereco transferir transfiro levar',
}

const EN_CONCEPTS: Record<string, string> = {
  pay: `pay paid paying payment payments bill bills invoice card credit debit installment interest fine due overdue
    charge charged refund money discount coupon receipt`,
  price: 'price prices cost costs much cheap expensive quote fee fees free',
  schedule: 'book booking schedule appointment appointments slot reschedule cancel time date tomorrow week',
  cancel: 'cancel cancellation terminate quit leave suspend pause contract penalty',
  delivery: 'delivery deliver delivered order orders tracking track shipping shipped ship arrive arrived package address',
  exchange: 'exchange return refund defect defective broken damaged warranty wrong',
  broken: 'work working works stopped broken defect error problem issue',
  connection: 'internet wifi signal network connection connect slow down speed router modem fiber',
  product: 'product products color size measures voltage material stock model original brand manual',
  sales: 'plan plans upgrade customer promotion offer bundle coverage install installation buy new',
  account: 'password login account access app user email profile',
}

const CONCEPTS: Record<Language, Record<string, string>> = { 'pt-BR': PT_CONCEPTS, en: EN_CONCEPTS }

/** Folded word → the concepts it names. */
export function conceptLexicon(language: Language): ReadonlyMap<string, string[]> {
  const lexicon = new Map<string, string[]>()
  for (const [concept, words] of Object.entries(CONCEPTS[language])) {
    for (const word of words.trim().split(/\s+/)) lexicon.set(word, [...(lexicon.get(word) ?? []), concept])
  }
  return lexicon
}
